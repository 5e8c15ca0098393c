import Testing

@testable import ClutchCore

private let nfc = "caf\u{E9}"  // café, 5 bytes
private let nfd = "cafe\u{301}"  // café, 6 bytes

/// Strings compare by their UTF-8 bytes, as Go, JavaScript, Python, the store and bucketing
/// do: "é" precomposed (NFC) and "e" + combining acute (NFD) are different strings, though
/// Swift's `==` calls them equal.
@Suite struct ByteExactTests {
    @Test func theTwoSpellingsAreEqualToSwiftButNotInBytes() {
        #expect(nfc == nfd)  // the trap this suite is about
        #expect(Array(nfc.utf8) != Array(nfd.utf8))
        #expect(!UTF8Bytes.equal(nfc, nfd))
        #expect(UTF8Bytes.equal(nfd, "cafe" + "\u{301}"))
        #expect(ExactString(nfc) != ExactString(nfd))
        #expect(Set([ExactString(nfc), ExactString(nfd)]).count == 2)
    }

    /// (operator, clause values, context value, holds)
    @Test(arguments: [
        (Operator.in, [nfc], nfc, true),
        (.in, [nfc], nfd, false),
        (.in, [nfd], nfd, true),
        (.in, [nfd], nfc, false),
        (.in, [nfc, nfd], nfd, true),
        (.startsWith, ["caf\u{E9}"], nfd, false),
        (.startsWith, ["cafe"], nfd, true),  // Swift's hasPrefix says false: "é" is one Character
        (.startsWith, ["cafe"], nfc, false),
        (.endsWith, ["\u{301}"], nfd, true),  // Swift's hasSuffix says false
        (.endsWith, ["\u{E9}"], nfd, false),
        (.endsWith, ["\u{E9}"], nfc, true),
        (.contains, ["fe"], nfd, true),
        (.contains, ["f\u{E9}"], nfd, false),
        (.contains, ["f\u{E9}"], nfc, true),
        (.contains, ["e\u{301}"], "un " + nfd + " noir", true),
        (.contains, ["\u{E9}"], "un " + nfd + " noir", false),
    ] as [(Operator, [String], String, Bool)])
    func clausesCompareBytes(_ op: Operator, _ values: [String], _ value: String, _ expected: Bool) {
        let ctx = context("u", ["name": .string(value)])
        #expect(holds(Clause(attribute: "name", op, values), ctx) == expected)
        #expect(holds(Clause(attribute: "name", op, values, negate: true), ctx) == !expected)
    }

    @Test(arguments: [(nfc, nfc, true), (nfc, nfd, false), (nfd, nfd, true), (nfd, nfc, false)])
    func targetsCompareBytes(_ listed: String, _ sent: String, _ matches: Bool) {
        let e = engine([ruleFlag([], targets: [Target(variant: "on", attribute: "city", values: [listed, "x", "y", "z", "w"])])])
        let single = engine([ruleFlag([], targets: [Target(variant: "on", attribute: "city", values: [listed])])])
        for candidate in [e, single] {
            #expect((candidate.evaluate("f", context: context("u", ["city": .string(sent)])).variant == "on") == matches)
            #expect((candidate.evaluate("f", context: context("u", ["city": [.string(sent)]])).variant == "on") == matches)
        }
    }

    @Test func targetsOnTheTargetingKeyCompareBytes() {
        let e = engine([ruleFlag([], targets: [Target(variant: "on", values: [nfc])])])
        #expect(e.evaluate("f", context: context(nfc)).variant == "on")
        #expect(e.evaluate("f", context: context(nfd)).variant == "off")
    }

    /// A member list may hold both spellings: both are members, and each matches only itself.
    @Test(arguments: [[nfc], [nfd], [nfc, nfd]])
    func cohortMembersCompareBytes(_ members: [String]) {
        let cohorts = [Cohort(key: "cafes", attribute: "customerId", members: members)]
        let e = engine([ruleFlag([Rule(clauses: [.inCohort("cafes")], serve: .variant("on"))])], cohorts: cohorts)
        for sent in [nfc, nfd] {
            let listed = members.contains { UTF8Bytes.equal($0, sent) }
            #expect((e.evaluate("f", context: context("u", ["customerId": .string(sent)])).variant == "on") == listed)
        }
    }

    @Test func compiledCohortKeepsBothSpellingsThroughChanges() {
        let cohort = CompiledCohort(key: "c", attribute: .customerId, members: [nfc, nfd], clauses: [])
        #expect(cohort.members.count == 2)
        let removed = cohort.updating(MemberChange(removed: [nfd]))
        #expect(removed.members.count == 1)
        #expect(removed.contains(context("u", ["customerId": .string(nfc)])))
        #expect(!removed.contains(context("u", ["customerId": .string(nfd)])))
        let added = removed.updating(MemberChange(added: [nfd]))
        #expect(added.members.count == 2)
        #expect(added.contains(context("u", ["customerId": .string(nfd)])))
    }

    /// Membership changes through the engine, as the SDK and server apply them.
    @Test func engineDeltasKeepSpellingsApart() {
        let cohorts = [Cohort(key: "cafes", members: [nfc])]
        let e = engine([ruleFlag([Rule(clauses: [.inCohort("cafes")], serve: .variant("on"))])], cohorts: cohorts)
        let next = e.applying(SnapshotDelta(version: 2, members: ["cafes": MemberChange(added: [nfd])]))
        let removed = next.applying(SnapshotDelta(version: 3, members: ["cafes": MemberChange(removed: [nfc])]))
        func served(_ candidate: Engine, _ id: String) -> String? {
            candidate.evaluate("f", context: context("u", ["customerId": .string(id)])).variant
        }
        #expect(served(e, nfd) == "off")
        #expect(served(next, nfc) == "on")
        #expect(served(next, nfd) == "on")
        #expect(served(removed, nfc) == "off")
        #expect(served(removed, nfd) == "on")
    }

    /// Value sets of every size (small ones are scanned, large ones hashed) compare bytes.
    @Test(arguments: [1, 4, 5, 100])
    func stringSetsCompareBytes(size: Int) {
        let values = [nfc] + (1..<size).map { "v\($0)" }
        let set = StringSet(set: values)
        #expect(set.contains(nfc))
        #expect(!set.contains(nfd))
        let both = StringSet(set: values + [nfd])
        #expect(both.count == size + 1)
        #expect(both.contains(nfd))
    }

    @Test(arguments: ["", "a", "aaab", "abab", "ababac", "日本語"])
    func searchFindsEveryOccurrenceAndNoOther(_ needle: String) {
        let pattern = BytePattern(needle, searchable: true)
        let haystacks = ["", "a", "aaaab", "abababac", "xxababacxx", "東京日本語", "ab", "aab"]
        for haystack in haystacks {
            let naive = needle.isEmpty || haystack.utf8.count >= needle.utf8.count
                && (0...(haystack.utf8.count - needle.utf8.count)).contains { start in
                    Array(haystack.utf8)[start..<(start + needle.utf8.count)].elementsEqual(needle.utf8)
                }
            #expect(UTF8Bytes.with(haystack) { pattern.occurs(in: $0) } == naive, "\(needle) in \(haystack)")
        }
    }
}
