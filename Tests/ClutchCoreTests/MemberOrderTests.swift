import Foundation
import Testing

@testable import ClutchCore

/// Membership changes are merged into a cohort's sorted member list; the result must be the
/// list the store would read back (sorted by UTF-8 bytes, no repeats), whatever the change.
@Suite("Member order")
struct MemberOrderTests {
    static let cases: [(name: String, members: [String], change: MemberChange, expected: [String])] = [
        ("add to empty", [], MemberChange(added: ["b", "a", "b"]), ["a", "b"]),
        ("add before, between and after", ["b", "d"], MemberChange(added: ["e", "a", "c"]), ["a", "b", "c", "d", "e"]),
        ("add present ones", ["a", "b"], MemberChange(added: ["a", "b"]), ["a", "b"]),
        ("remove first, last, absent", ["a", "b", "c"], MemberChange(removed: ["a", "c", "zz"]), ["b"]),
        ("add and remove", ["a", "c"], MemberChange(added: ["b"], removed: ["a"]), ["b", "c"]),
        ("bytes, not Swift's order", ["Z", "a"], MemberChange(added: ["é", "B"]), ["B", "Z", "a", "é"]),
        // NFC and NFD spellings of é are equal Strings in Swift but different members.
        ("NFC and NFD stay two members", ["\u{E9}"], MemberChange(added: ["e\u{301}"]), ["e\u{301}", "\u{E9}"]),
        ("removing NFD keeps NFC", ["e\u{301}", "\u{E9}"], MemberChange(removed: ["e\u{301}"]), ["\u{E9}"]),
        ("a member both added and removed ends up removed", ["a", "b"], MemberChange(added: ["b", "c"], removed: ["b"]), ["a", "c"]),
        ("everything removed", ["a", "b"], MemberChange(removed: ["b", "a"]), []),
    ]

    @Test(arguments: cases.indices)
    func applying(_ index: Int) {
        let item = Self.cases[index]
        let result = MemberOrder.applying(item.change, to: item.members)
        #expect(result.map { Array($0.utf8) } == item.expected.map { Array($0.utf8) }, "\(item.name)")
    }

    @Test func sortedDropsRepeatsByBytes() {
        #expect(MemberOrder.sorted(["b", "a", "b", "\u{E9}", "e\u{301}"]).map { Array($0.utf8) }
            == ["a", "b", "e\u{301}", "\u{E9}"].map { Array($0.utf8) })
        #expect(MemberOrder.isSorted(["a", "b"]))
        #expect(!MemberOrder.isSorted(["a", "a"]))
        #expect(!MemberOrder.isSorted(["b", "a"]))
    }

    @Test func snapshotsKeepMembersSorted() throws {
        let snapshot = Snapshot(environment: "e", cohorts: [Cohort(key: "c", members: ["b", "a", "b"])])
        #expect(snapshot.cohorts[0].members == ["a", "b"])
        let decoded = try ClutchJSON.decode(
            Snapshot.self, from: Data(#"{"environment":"e","version":1,"flags":[],"cohorts":[{"key":"c","members":["z","a"]}]}"#.utf8))
        #expect(decoded.cohorts[0].members == ["a", "z"])
    }

    @Test func aRandomChangeMatchesSetArithmetic() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let universe = (0..<60).map { "m\($0)" }
            let members = MemberOrder.sorted(universe.filter { _ in Bool.random(using: &random) })
            let added = universe.filter { _ in Int.random(in: 0..<5, using: &random) == 0 }
            let removed = universe.filter { member in Int.random(in: 0..<5, using: &random) == 0 && !added.contains(member) }
            let result = MemberOrder.applying(MemberChange(added: added, removed: removed), to: members)
            let expected = MemberOrder.sorted(Array(Set(members).union(added).subtracting(removed)))
            #expect(result == expected)
        }
    }
}
