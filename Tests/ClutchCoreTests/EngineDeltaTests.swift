import Testing

@testable import ClutchCore

/// `Engine.applying(_:)` recompiles only what a change touched; it must evaluate exactly as an
/// engine built from scratch on the changed snapshot.
@Suite("Engine deltas")
struct EngineDeltaTests {
    static let environment = "production"

    static func flag(_ key: String, enabled: Bool = true, cohort: String? = nil, percent: Double? = nil) -> Flag {
        var rules: [Rule] = []
        if let cohort { rules.append(Rule(clauses: [.inCohort(cohort)], serve: .variant("on"))) }
        rules.append(Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on")))
        let serve: Serve = percent.map { .rollout(.percentage($0, of: "on", rest: "off")) } ?? .variant("off")
        return Flag(key: key, environments: [environment: FlagState(enabled: enabled, rules: rules, default: serve)])
    }

    static let base = Snapshot(
        environment: environment, version: 1,
        flags: [flag("a"), flag("b", cohort: "pilots"), flag("c", percent: 30), flag("d", cohort: "pilots", percent: 10)],
        cohorts: [Cohort(key: "pilots", members: ["acme", "globex"])])

    static let contexts: [EvaluationContext] = (0..<200).map { i in
        EvaluationContext(targetingKey: "user-\(i)", attributes: [
            "customerId": .string(["acme", "globex", "initech", "hooli"][i % 4]),
            "role": .string(i % 7 == 0 ? "admin" : "member"),
        ])
    }

    static let deltas: [(String, SnapshotDelta)] = [
        ("toggle a flag off", SnapshotDelta(version: 2, flags: ["c": flag("c", enabled: false, percent: 30)])),
        ("add a flag", SnapshotDelta(version: 2, flags: ["bb": flag("bb", percent: 50)])),
        ("remove a flag", SnapshotDelta(version: 2, flags: ["a": nil])),
        ("change a cohort's members", SnapshotDelta(version: 2, cohorts: ["pilots": Cohort(key: "pilots", members: ["initech"])])),
        ("remove a cohort flags use", SnapshotDelta(version: 2, cohorts: ["pilots": nil])),
        ("a flag starts using a new cohort", SnapshotDelta(
            version: 2, flags: ["a": flag("a", cohort: "new")], cohorts: ["new": Cohort(key: "new", members: ["hooli"])])),
        ("add members", SnapshotDelta(version: 2, members: ["pilots": MemberChange(added: ["initech", "hooli"])])),
        ("remove members", SnapshotDelta(version: 2, members: ["pilots": MemberChange(removed: ["acme"])])),
        ("add and remove members", SnapshotDelta(version: 2, members: ["pilots": MemberChange(added: ["hooli"], removed: ["globex"])])),
        ("remove every member (the cohort breaks)", SnapshotDelta(version: 2, members: ["pilots": MemberChange(removed: ["acme", "globex"])])),
        ("members of a cohort replaced in the same change", SnapshotDelta(
            version: 2, cohorts: ["pilots": Cohort(key: "pilots", members: ["hooli"])], members: ["pilots": MemberChange(added: ["acme"])])),
        ("members of a cohort the snapshot lacks", SnapshotDelta(version: 2, members: ["ghost": MemberChange(added: ["acme"])])),
    ]

    @Test(arguments: deltas.map(\.0))
    func incrementalEqualsFullBuild(_ name: String) throws {
        let delta = try #require(Self.deltas.first { $0.0 == name }?.1)
        let incremental = Engine(Self.base).applying(delta)
        let full = Engine(Self.base.applying(delta))
        #expect(incremental.snapshot == full.snapshot)
        #expect(incremental.version == 2)
        let keys = Set(Self.base.flags.map(\.key)).union(delta.flags.keys)
        for key in keys.sorted() {
            for context in Self.contexts {
                #expect(incremental.evaluate(key, context: context) == full.evaluate(key, context: context), "\(key)")
            }
            #expect(incremental.hasVariant("on", flag: key) == full.hasVariant("on", flag: key))
        }
    }

    @Test func aCohortChangeReachesTheFlagsThatUseIt() {
        let before = Engine(Self.base)
        let acme = EvaluationContext(targetingKey: "u1", attributes: ["customerId": "acme"])
        #expect(before.evaluate("b", context: acme).variant == "on")
        let after = before.applying(SnapshotDelta(version: 2, cohorts: ["pilots": Cohort(key: "pilots", members: ["initech"])]))
        #expect(after.evaluate("b", context: acme).variant == "off")
        let broken = after.applying(SnapshotDelta(version: 3, cohorts: ["pilots": nil]))
        #expect(broken.evaluate("b", context: acme).errorCode == .parseError)
        #expect(broken.evaluate("a", context: acme).errorCode == nil)
        let fixed = broken.applying(SnapshotDelta(version: 4, cohorts: ["pilots": Cohort(key: "pilots", members: ["acme"])]))
        #expect(fixed.evaluate("b", context: acme).variant == "on")
    }

    @Test func membershipChangesComeBackFromABrokenCohort() {
        let emptied = Engine(Self.base).applying(SnapshotDelta(version: 2, members: ["pilots": MemberChange(removed: ["acme", "globex"])]))
        let acme = EvaluationContext(targetingKey: "u1", attributes: ["customerId": "acme"])
        #expect(emptied.evaluate("b", context: acme).errorCode == .parseError)
        let refilled = emptied.applying(SnapshotDelta(version: 3, members: ["pilots": MemberChange(added: ["acme"])]))
        #expect(refilled.evaluate("b", context: acme).variant == "on")
        #expect(refilled.snapshot.cohort("pilots")?.members == ["acme"])
    }

    @Test func snapshotsKeepKeyOrder() {
        let next = Self.base.applying(SnapshotDelta(version: 5, flags: ["0": Self.flag("0"), "bb": Self.flag("bb"), "z": Self.flag("z")]))
        #expect(next.flags.map(\.key) == ["0", "a", "b", "bb", "c", "d", "z"])
        #expect(next.version == 5)
    }

    /// A change of many flags (an import) is applied in one merge pass: it must give what the
    /// same change applied a flag at a time gives — replaced, added between and after existing
    /// keys, and removed — and an engine that evaluates as one built from scratch.
    @Test func aChangeOfManyFlagsEqualsTheSameChangesOneAtATime() {
        let base = Snapshot(environment: Self.environment, version: 1, flags: (0..<60).map { Self.flag("f\(1000 + $0 * 2)", percent: 40) })
        var flags: [String: Flag?] = [:]
        for i in stride(from: 0, to: 60, by: 3) { flags["f\(1000 + i * 2)"] = Self.flag("f\(1000 + i * 2)", enabled: false) }
        for i in stride(from: 1, to: 60, by: 5) { flags["f\(1000 + i * 2)"] = .some(nil) }
        for i in 0..<30 { flags["f\(1000 + i * 4 + 1)"] = Self.flag("f\(1000 + i * 4 + 1)", percent: 60) }
        flags["f9999"] = Self.flag("f9999")
        flags["f0"] = Self.flag("f0")
        flags["f1001-gone"] = .some(nil)
        let delta = SnapshotDelta(version: 2, flags: flags)
        #expect(delta.flags.count > 16)
        var oneByOne = base
        for key in flags.keys.sorted() { oneByOne = oneByOne.applying(SnapshotDelta(version: 2, flags: [key: flags[key] ?? nil])) }
        let merged = base.applying(delta)
        #expect(merged == oneByOne)
        #expect(merged.flags.map(\.key) == merged.flags.map(\.key).sorted())
        let incremental = Engine(base).applying(delta)
        let full = Engine(merged)
        for key in Set(base.flags.map(\.key)).union(flags.keys).sorted() {
            for context in Self.contexts.prefix(20) {
                #expect(incremental.evaluate(key, context: context) == full.evaluate(key, context: context), "\(key)")
            }
        }
    }

    /// The engine's chunked table against a dictionary, over random updates that replace, add
    /// and remove keys across chunk boundaries.
    @Test func chunkedTableMatchesADictionary() {
        var random = SystemRandomNumberGenerator()
        var expected = Dictionary(uniqueKeysWithValues: (0..<300).map { ("k\($0)", $0) })
        var table = ChunkedTable(expected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        for round in 0..<200 {
            var changes: [(String, Int?)] = []
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let key = "k\(Int.random(in: 0..<400, using: &random))"
                let value: Int? = Int.random(in: 0..<4, using: &random) == 0 ? nil : round * 1000 + changes.count
                changes.append((key, value))
            }
            let before = table
            table = table.updating(changes)
            for (key, value) in changes { expected[key] = value }
            #expect(table.count == expected.count)
            for i in 0..<400 { #expect(table["k\(i)"] == expected["k\(i)"]) }
            if let (key, _) = changes.first, let position = table.index(of: key) { #expect(table[position: position] == expected[key]) }
            _ = before["k1"]  // the previous version stays readable
        }
        #expect(ChunkedTable<Int>([]).isEmpty)
        #expect(ChunkedTable<Int>([])["x"] == nil)
    }
}
