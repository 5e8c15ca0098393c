import Testing

@testable import ClutchCore

/// What is refused about prerequisites: on the flag alone (``Flag/validationIssues(cohorts:)``)
/// and against the other flags (``Flag/prerequisiteIssues(among:requiredBy:)``), each naming the path.
@Suite("Prerequisites: validation")
struct PrerequisiteValidationTests {
    static func flag(_ key: String, _ prerequisites: [Prerequisite], environment: String = "production") -> Flag {
        Flag(key: key, environments: [environment: FlagState(enabled: true, prerequisites: prerequisites)])
    }

    static func requires(_ key: String, _ variant: String = "on") -> Prerequisite { Prerequisite(flag: key, variant: variant) }

    @Test(arguments: [
        ([requires("checkout")], "environments.production.prerequisites[0].flag", "own prerequisite"),
        ([requires("Bad Key")], "environments.production.prerequisites[0].flag", "flag key"),
        ([requires("payments"), requires("payments", "off")], "environments.production.prerequisites[1].flag", "already a prerequisite"),
        ([requires("payments", "")], "environments.production.prerequisites[0].variant", "variant"),
    ])
    func refusedOnTheFlagAlone(_ prerequisites: [Prerequisite], _ path: String, _ mentions: String) throws {
        let error = try #require(throws: ValidationError.self) { try Self.flag("checkout", prerequisites).validate() }
        #expect(error.path == path, "\(error)")
        #expect(error.description.contains(mentions), "\(error)")
    }

    static let others: [String: Flag] = [
        "payments": flag("payments", []),
        "archived": Flag(key: "archived", archived: true),
        "color": Flag(key: "color", type: .string, variants: [Variant(key: "red", value: "r"), Variant(key: "blue", value: "b")]),
        // b requires c requires checkout: a cycle once checkout requires b.
        "b": flag("b", [requires("c")]),
        "c": flag("c", [requires("checkout")]),
    ]

    @Test(arguments: [
        ("ghost", "on", "environments.production.prerequisites[0].flag", "flag 'ghost' does not exist"),
        ("archived", "on", "environments.production.prerequisites[0].flag", "archived"),
        ("color", "on", "environments.production.prerequisites[0].variant", "no variant 'on' (its variants: red, blue)"),
        ("b", "on", "environments.production.prerequisites[0].flag", "cycle checkout → b → c → checkout"),
    ])
    func refusedAgainstTheOtherFlags(_ required: String, _ variant: String, _ path: String, _ message: String) {
        let checkout = Self.flag("checkout", [Self.requires(required, variant)])
        let issues = checkout.prerequisiteIssues(among: { Self.others[$0] }, requiredBy: [])
        #expect(issues.map(\.path) == [path], "\(issues)")
        #expect(issues.first?.message.contains(message) == true, "\(issues)")
    }

    @Test func validPrerequisitesPass() throws {
        let checkout = Self.flag("checkout", [Self.requires("payments"), Self.requires("color", "blue")])
        try checkout.validate()
        #expect(checkout.prerequisiteIssues(among: { Self.others[$0] }, requiredBy: []).isEmpty)
    }

    /// A chain longer than evaluation follows is refused where it is made: `top` requiring
    /// `f1` → … → `fN` is accepted up to `Engine.maxPrerequisiteDepth` links.
    @Test(arguments: [Engine.maxPrerequisiteDepth, Engine.maxPrerequisiteDepth + 1])
    func chainsDeeperThanEvaluationFollowsAreRefused(links: Int) {
        var chain: [String: Flag] = [:]
        for i in 1..<links { chain["f\(i)"] = Self.flag("f\(i)", [Self.requires("f\(i + 1)")]) }
        chain["f\(links)"] = Self.flag("f\(links)", [])
        let top = Self.flag("top", [Self.requires("f1")])
        let issues = top.prerequisiteIssues(among: { chain[$0] }, requiredBy: [])
        if links <= Engine.maxPrerequisiteDepth {
            #expect(issues.isEmpty, "\(issues)")
        } else {
            #expect(issues.map(\.path) == ["environments.production.prerequisites[0].flag"], "\(issues)")
            #expect(issues.first?.message.contains("\(links) flags deep") == true, "\(issues)")
        }
    }

    /// Cycles are per environment: a requires b in production and b requires a in staging is no cycle.
    @Test func cyclesArePerEnvironment() {
        let a = Self.flag("a", [Self.requires("b")])
        let b = Self.flag("b", [Self.requires("a")], environment: "staging")
        #expect(a.prerequisiteIssues(among: { $0 == "b" ? b : nil }, requiredBy: []).isEmpty)
        let both = Self.flag("b", [Self.requires("a")])
        #expect(a.prerequisiteIssues(among: { $0 == "b" ? both : nil }, requiredBy: []).first?.message == "cycle a → b → a")
    }

    @Test func aRequiredFlagKeepsTheVariantsItsDependentsNeedAndIsNotArchived() throws {
        let dependent = Self.flag("checkout", [Self.requires("color", "red")])
        var color = try #require(Self.others["color"])
        #expect(color.prerequisiteIssues(among: { _ in nil }, requiredBy: [dependent]).isEmpty)
        color.variants.removeAll { $0.key == "red" }
        color.offVariant = "blue"
        let issues = color.prerequisiteIssues(among: { _ in nil }, requiredBy: [dependent])
        #expect(issues.map(\.path) == ["variants"])
        #expect(issues.first?.message.contains("'checkout' in production") == true, "\(issues)")
        var archived = try #require(Self.others["color"])
        archived.archived = true
        #expect(archived.prerequisiteIssues(among: { _ in nil }, requiredBy: [dependent]).map(\.path) == ["archived"])
    }
}
