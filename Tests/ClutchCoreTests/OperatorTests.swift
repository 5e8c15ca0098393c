import Testing
import ClutchCore

/// One row of the operator table: a clause, an attribute value (nil = absent), and whether it holds.
struct OperatorCase: CustomTestStringConvertible, Sendable {
    let op: Operator
    let values: [String]
    let attribute: Value?
    let negate: Bool
    let expected: Bool

    init(_ op: Operator, _ values: [String], _ attribute: Value?, negate: Bool = false, _ expected: Bool) {
        self.op = op
        self.values = values
        self.attribute = attribute
        self.negate = negate
        self.expected = expected
    }

    var testDescription: String {
        "\(negate ? "not " : "")attr \(op.rawValue) \(values) with \(attribute.map { $0.jsonText } ?? "<absent>") → \(expected)"
    }
}

@Suite struct OperatorTests {
    static let cases: [OperatorCase] = [
        // in
        OperatorCase(.in, ["admin"], "admin", true),
        OperatorCase(.in, ["admin", "owner"], "owner", true),
        OperatorCase(.in, ["admin"], "Admin", false),
        OperatorCase(.in, ["admin"], ["user", "admin"], true),
        OperatorCase(.in, ["admin"], ["user"], false),
        OperatorCase(.in, ["admin"], [], false),
        OperatorCase(.in, ["admin"], nil, false),
        OperatorCase(.in, ["admin"], .null, false),
        OperatorCase(.in, ["5"], 5, true),
        OperatorCase(.in, ["5"], 5.0, true),
        OperatorCase(.in, ["5.5"], 5.5, true),
        OperatorCase(.in, ["true"], true, true),
        OperatorCase(.in, ["admin"], ["role": "admin"], false),
        OperatorCase(.in, ["ünïcødé", "日本"], "日本", true),
        OperatorCase(.in, ["FR", "DE"], "FR", negate: true, false),
        OperatorCase(.in, ["FR", "DE"], "US", negate: true, true),
        OperatorCase(.in, ["FR", "DE"], nil, negate: true, false),
        // string operators
        OperatorCase(.startsWith, ["beta-"], "beta-tester", true),
        OperatorCase(.startsWith, ["beta-"], "tester", false),
        OperatorCase(.startsWith, ["beta-"], 5, false),
        OperatorCase(.endsWith, ["@acme.com"], "jo@acme.com", true),
        OperatorCase(.endsWith, ["@acme.com"], "jo@acme.co", false),
        OperatorCase(.endsWith, ["@acme.com", "@globex.com"], ["x@y.z", "a@globex.com"], true),
        OperatorCase(.contains, ["acme"], "www.acme.io", true),
        OperatorCase(.contains, ["acme"], "www.acne.io", false),
        OperatorCase(.contains, ["日本"], "東京日本", true),
        OperatorCase(.contains, ["x"], true, false),
        // matches
        OperatorCase(.matches, ["^[a-z]+@acme\\.com$"], "jo@acme.com", true),
        OperatorCase(.matches, ["^[a-z]+@acme\\.com$"], "JO@acme.com", false),
        OperatorCase(.matches, ["ac.e"], "space", false),
        OperatorCase(.matches, ["ac.e"], "acme", true),
        OperatorCase(.matches, ["\\d{3}"], 123, false),
        // numbers
        OperatorCase(.lessThan, ["18"], 17, true),
        OperatorCase(.lessThan, ["18"], 18, false),
        OperatorCase(.lessThanOrEqual, ["18"], 18, true),
        OperatorCase(.greaterThan, ["2.5"], 2.51, true),
        OperatorCase(.greaterThan, ["2.5"], 2, false),
        OperatorCase(.greaterThanOrEqual, ["-1"], -1, true),
        // A string spelled as a number compares as that number (flagd's JsonLogic does too).
        OperatorCase(.greaterThan, ["10"], "11", true),
        OperatorCase(.greaterThan, ["10"], "eleven", false),
        OperatorCase(.greaterThan, ["10"], true, false),
        OperatorCase(.lessThan, ["10"], [20, 5], true),
        OperatorCase(.lessThan, ["10"], nil, false),
        // semantic versions
        OperatorCase(.semverLessThan, ["2.10.0"], "2.3.0", true),
        OperatorCase(.semverGreaterThan, ["2.3.0"], "2.10.0", true),
        OperatorCase(.semverGreaterThanOrEqual, ["2.3.0"], "2.3.0", true),
        OperatorCase(.semverGreaterThanOrEqual, ["2.3.0"], "2.3.0-rc.1", false),
        OperatorCase(.semverLessThan, ["1.0.0"], "1.0.0-alpha", true),
        OperatorCase(.semverLessThan, ["1.0.0-beta"], "1.0.0-alpha.1", true),
        OperatorCase(.semverLessThan, ["1.0.0-alpha.beta"], "1.0.0-alpha.1", true),
        OperatorCase(.semverLessThan, ["1.0.0-rc.1"], "1.0.0-beta.11", true),
        OperatorCase(.semverLessThan, ["1.0.0-beta.11"], "1.0.0-beta.2", true),
        OperatorCase(.semverEqual, ["1.2.3"], "1.2.3+build.7", true),
        OperatorCase(.semverEqual, ["1.2.0"], "v1.2", true),
        OperatorCase(.semverLessThanOrEqual, ["2.0.0"], "not-a-version", false),
        // A number is the version its spelling names, as in flagd: 1 is 1.0.0.
        OperatorCase(.semverLessThanOrEqual, ["2.0.0"], 1, true),
        OperatorCase(.semverLessThanOrEqual, ["2.0.0"], 3, false),
        OperatorCase(.semverGreaterThan, ["2.0.0"], ["1.0.0", "3.0.0"], true),
        // dates
        OperatorCase(.after, ["2026-01-01"], "2026-01-02T00:00:00Z", true),
        OperatorCase(.after, ["2026-01-01"], "2025-12-31T23:59:59Z", false),
        OperatorCase(.after, ["2026-01-01T00:00:00Z"], "2026-01-01T01:00:00+02:00", false),
        OperatorCase(.after, ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:00.5Z", true),
        OperatorCase(.before, ["2026-01-01T00:00:00Z"], 1_767_225_599, true),
        OperatorCase(.before, ["1767225600"], "2025-12-31T23:59:59Z", true),
        OperatorCase(.before, ["2026-01-01"], "yesterday", false),
        OperatorCase(.before, ["2026-01-01"], true, false),
        // exists
        OperatorCase(.exists, [], "x", true),
        OperatorCase(.exists, [], "", true),
        OperatorCase(.exists, [], nil, false),
        OperatorCase(.exists, [], .null, false),
        OperatorCase(.exists, [], nil, negate: true, true),
        OperatorCase(.exists, [], 3, negate: true, false),
    ]

    @Test(arguments: cases)
    func operatorTable(_ row: OperatorCase) {
        var attributes: [String: Value] = [:]
        if let value = row.attribute { attributes["attr"] = value }
        let clause = Clause(attribute: "attr", row.op, row.values, negate: row.negate)
        #expect(holds(clause, context("user", attributes)) == row.expected)
    }

    @Test func targetingKeyIsAnAttribute() {
        #expect(holds(Clause(attribute: "targetingKey", .startsWith, ["u-"]), context("u-1")))
        #expect(!holds(Clause(attribute: "targetingKey", .startsWith, ["u-"]), context(nil)))
    }

    @Test func adminOnlyWorksWithStringOrArrayRoles() {
        let adminOnly = Clause(attribute: "role", .in, ["admin"])
        #expect(holds(adminOnly, context("u", ["role": "admin"])))
        #expect(holds(adminOnly, context("u", ["role": ["editor", "admin"]])))
        #expect(!holds(adminOnly, context("u", ["role": "editor"])))
        #expect(!holds(adminOnly, context("u")))
    }
}

@Suite struct SemanticVersionTests {
    @Test(arguments: ["1", "1.2", "1.2.3", "v1.2.3", "1.2.3-rc.1", "1.2.3+build", "1.2.3-alpha-1.x+b"])
    func parses(_ text: String) {
        #expect(SemanticVersion(text) != nil)
    }

    @Test(arguments: ["", "a.b.c", "1.2.3.4", "1..2", "1.2.3-", "1.2.3-a..b", "-1.0.0", "1.2.x"])
    func rejects(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test func precedenceChainFromTheSpecification() throws {
        let chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                     "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1", "2.10.0"]
        let versions = try chain.map { try #require(SemanticVersion($0)) }
        for (a, b) in zip(versions, versions.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a))
        }
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-01-01", 1_767_225_600.0),
        ("2026-01-01T00:00:00Z", 1_767_225_600.0),
        ("2026-01-01T02:00:00+02:00", 1_767_225_600.0),
        ("2025-12-31T19:00:00-05:00", 1_767_225_600.0),
        ("2024-02-29T12:00:00.250Z", 1_709_208_000.25),
        ("1767225600", 1_767_225_600.0),
        ("1767225600.5", 1_767_225_600.5),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(Timestamp.seconds(text) == seconds)
    }

    @Test(arguments: ["", "2026-13-01", "2025-02-29", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00", "yesterday",
                      "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00.Z"])
    func rejects(_ text: String) {
        #expect(Timestamp.seconds(text) == nil)
    }
}
