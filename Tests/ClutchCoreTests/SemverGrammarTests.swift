import Testing
import ClutchCore

/// semver.org 2.0.0's own lists of valid and invalid versions (the ones its FAQ regular
/// expression is tested on), plus Clutch's two conveniences.
@Suite struct SemverGrammarTests {
    @Test(arguments: [
        "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid", "1.0.0-alpha",
        "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1", "1.0.0-alpha0.valid",
        "1.0.0-alpha.0valid", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", "1.0.0-rc.1+build.1",
        "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "1.0.0", "2.0.0", "1.1.7",
        "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
        "1.2.3----R-S.12.9.1--.12+meta", "1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
        "99999999999999999999999.999999999999999999.99999999999999999", "1.0.0-0A.is.legal",
        "1.0.0+20130313144700", "1.0.0-0", "1.0.0+001", "1.0.0-x.7.z.92",
        // Clutch (and flagd): a `v`/`V` prefix, and MAJOR or MAJOR.MINOR alone.
        "v1.2.3", "V1.2.3-rc.1+b", "2", "2.3", "v2", "v2.3", "0",
    ])
    func valid(_ text: String) {
        #expect(SemanticVersion(text) != nil)
    }

    @Test(arguments: [
        "1.2.3-0123", "1.2.3-0123.0123", "1.1.2+.123", "+invalid", "-invalid", "-invalid+invalid", "-invalid.01",
        "alpha", "alpha.beta", "alpha.beta.1", "alpha.1", "alpha+beta", "alpha_beta", "alpha.", "alpha..", "beta",
        "1.0.0-alpha_beta", "-alpha.", "1.0.0-alpha..", "1.0.0-alpha..1", "1.0.0-alpha...1", "1.0.0-alpha....1",
        "01.1.1", "1.01.1", "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT", "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
        "1.2-RC-SNAPSHOT", "-1.0.3-gamma+b7718", "+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta",
        "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12",
        // More of the same rules.
        "", "v", "vv1.0.0", "1.0.0-", "1.0.0+", "1.0.0-a+", "1.0.0+a..b", "1.0.0+a_b", "1.0.0-é", "1.0.0 ", " 1.0.0",
        "00", "1.00", "1.0.00", "1.0.0-00", "1.0.0-01", "2.3+build", "2+build", "1.2.3.4", "1..2", "1.", "1.2.",
    ])
    func invalid(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    /// semver.org §11's example chain, with numbers far past 64 bits.
    @Test func precedenceFollowsSection11() throws {
        let chain = [
            "0.0.0", "0.0.1", "0.1.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-18446744073709551615",
            "1.0.0-18446744073709551616", "1.0.0-99999999999999999999999", "1.0.0-0A", "1.0.0-A", "1.0.0-Z", "1.0.0-a",
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1", "2.10.0", "10.0.0", "18446744073709551615.0.0",
            "18446744073709551616.0.0", "99999999999999999999999.0.0", "99999999999999999999999.1.0",
        ]
        let versions = try chain.map { try #require(SemanticVersion($0), "\($0)") }
        for (i, a) in versions.enumerated() {
            for (j, b) in versions.enumerated() {
                #expect((a < b) == (i < j), "\(chain[i]) < \(chain[j])")
                #expect((a == b) == (i == j), "\(chain[i]) == \(chain[j])")
            }
        }
    }

    /// Build metadata, the `v` prefix and left-out parts do not change precedence.
    @Test(arguments: [
        ("1.2.3+a", "1.2.3+b"), ("1.2.3", "1.2.3+build.7"), ("v1.2.3", "1.2.3"), ("2", "2.0.0"), ("2.3", "V2.3.0"),
        ("0", "0.0.0"), ("1.0.0-rc.1+x", "v1.0.0-rc.1"),
    ])
    func equalPrecedence(_ a: String, _ b: String) throws {
        let x = try #require(SemanticVersion(a)), y = try #require(SemanticVersion(b))
        #expect(x == y)
        #expect(!(x < y) && !(y < x))
        #expect(x.hashValue == y.hashValue)
        #expect(x.description == y.description)
    }

    @Test func partsReadBack() throws {
        let v = try #require(SemanticVersion("v99999999999999999999999.2"))
        #expect(v.major == "99999999999999999999999")
        #expect(v.minor == "2")
        #expect(v.patch == "0")
        #expect(v.preRelease == [])
        let pre = try #require(SemanticVersion("1.0.0-alpha.12.x-1+build"))
        #expect(pre.preRelease == [.text("alpha"), .numeric("12"), .text("x-1")])
        #expect(pre.description == "1.0.0-alpha.12.x-1")
    }

    /// A number in the context is the version its decimal spelling names, as flagd formats and
    /// parses it: an integer `n` is `n.0.0`, `2.5` is `2.5.0`; negative numbers and spellings
    /// with an exponent are not versions.
    @Test(arguments: [
        (.integer(2), "2.0.0", true), (.integer(10), "10.0.0", true), (.integer(0), "0.0.0", true),
        (.double(2.0), "2.0.0", true), (.double(2.5), "2.5.0", true), (.double(2.5), "2.5.1", false),
        (.integer(12_345_678_901), "12345678901.0.0", true), (.integer(3), "3.0.0-rc.1", false),
    ] as [(Value, String, Bool)])
    func numbersAreVersions(_ value: Value, _ version: String, _ equal: Bool) {
        let ctx = context("u", ["v": value])
        #expect(holds(Clause(attribute: "v", .semverEqual, [version]), ctx) == equal)
        #expect(holds(Clause(attribute: "v", .semverEqual, [version], negate: true), ctx) == !equal)
    }

    @Test func numbersCompareAsVersions() {
        let ctx = context("u", ["v": 10])
        #expect(holds(Clause(attribute: "v", .semverGreaterThan, ["9.99.99"]), ctx))
        #expect(holds(Clause(attribute: "v", .semverLessThan, ["10.0.1"]), ctx))
        #expect(holds(Clause(attribute: "v", .semverGreaterThan, ["10.0.0-rc.1"]), ctx))
        #expect(holds(Clause(attribute: "v", .semverGreaterThan, ["2.0.0"]), context("u", ["v": 2.5])))
        #expect(holds(Clause(attribute: "v", .semverLessThan, ["3.0.0"]), context("u", ["v": [7, 2]])))
    }

    /// Definitions with versions outside the grammar are refused when written.
    @Test(arguments: ["01.2.3", "1.2.3-01", "1.2.3+", "1.2-rc.1"])
    func definitionsRefuseInvalidVersions(_ text: String) throws {
        let flag = Flag(key: "f", environments: ["production": FlagState(enabled: true, rules: [
            Rule(clauses: [Clause(attribute: "v", .semverGreaterThan, [text])], serve: .variant("on"))])])
        let error = try #require(throws: ValidationError.self) { try flag.validate() }
        #expect(error.path == "environments.production.rules[0].clauses[0].values[0]")
        #expect(error.description.contains("semantic version"))
    }
}
