import Testing
import ClutchCore

/// One row: a path, a context (its attributes), and what an `in` clause on the path with
/// `values` makes of it. `nil` expected value means the path must find nothing.
struct PathCase: CustomTestStringConvertible, Sendable {
    let path: String
    let attributes: [String: Value]
    let found: Value?
    let note: String

    init(_ path: String, _ attributes: [String: Value], _ found: Value?, _ note: String) {
        self.path = path
        self.attributes = attributes
        self.found = found
        self.note = note
    }

    var testDescription: String { "\(path): \(note)" }
}

@Suite struct AttributePathTests {
    @Test(arguments: [
        ("plan", ["plan"]),
        ("user.plan", ["user", "plan"]),
        ("a.b.c.0", ["a", "b", "c", "0"]),
        (#"app\.version"#, ["app.version"]),
        (#"a\\b"#, [#"a\b"#]),
        (#"a\\.b"#, [#"a\"#, "b"]),
        (#"a\.b.c"#, ["a.b", "c"]),
        (#"\.\\"#, [#".\"#]),
        ("ünï.çødé", ["ünï", "çødé"]),
        ("targetingKey", ["targetingKey"]),
        (#"a.\."#, ["a", "."]),
    ])
    func parses(_ text: String, _ segments: [String]) throws {
        let path = try AttributePath(text)
        #expect(path.segments == segments)
        #expect(path.text == text)
        #expect(path.isNested == (segments.count > 1))
    }

    @Test(arguments: [
        ("", "empty"),
        ("a..b", "empty segment"),
        (".a", "empty segment"),
        ("a.", "empty segment"),
        (".", "empty segment"),
        (#"a\"#, "unfinished escape"),
        (#"a.b\"#, "unfinished escape"),
        (#"a\b"#, "backslash"),
        (#"a\n"#, "backslash"),
        (#"\x.b"#, "backslash"),
    ])
    func refusesMalformedPaths(_ text: String, _ mentions: String) {
        let error = #expect(throws: AttributePath.Invalid.self) { try AttributePath(text) }
        #expect(error?.message.contains(mentions) == true, "\(String(describing: error))")
    }

    @Test(arguments: ["plan", "app.version", #"a\b"#, #"tricky\.\\name"#, "x.", ".", ""])
    func escapingRoundTrips(_ name: String) throws {
        let escaped = AttributePath.escaping(name)
        if name.isEmpty {
            #expect(escaped == "")
            return
        }
        #expect(try AttributePath(escaped).segments == [name])
    }

    static let user: Value = [
        "name": "Ada", "plan": "pro", "tags": ["beta", "staff"], "age": 36,
        "address": ["city": "Paris", "zip": "75001"],
        "orgs": [["id": "acme", "roles": ["admin"]], ["id": "globex", "roles": []]],
        "dotted.key": "flat-inside", "0": "zero-key", "nothing": .null,
    ]

    static let cases: [PathCase] = [
        PathCase("user.name", ["user": user], "Ada", "object member"),
        PathCase("user.address.city", ["user": user], "Paris", "two levels"),
        PathCase("user.tags", ["user": user], ["beta", "staff"], "array at the end"),
        PathCase("user.tags.0", ["user": user], "beta", "array index"),
        PathCase("user.tags.1", ["user": user], "staff", "second index"),
        PathCase("user.tags.2", ["user": user], nil, "index out of range"),
        PathCase("user.tags.01", ["user": user], nil, "leading zero is no index"),
        PathCase("user.tags.-1", ["user": user], nil, "negative is no index"),
        PathCase("user.tags.x", ["user": user], nil, "key into an array"),
        PathCase("user.orgs.0.id", ["user": user], "acme", "object inside array"),
        PathCase("user.orgs.1.roles", ["user": user], [], "empty array"),
        PathCase("user.orgs.0.roles.0", ["user": user], "admin", "array in object in array"),
        PathCase("user.0", ["user": user], "zero-key", "digits are a key in an object"),
        PathCase(#"user.dotted\.key"#, ["user": user], "flat-inside", "escaped dot in a nested key"),
        PathCase("user.dotted.key", ["user": user], nil, "unescaped dot splits"),
        PathCase("user.nothing", ["user": user], .null, "null member is present null"),
        PathCase("user.nothing.deeper", ["user": user], nil, "through null"),
        PathCase("user.missing", ["user": user], nil, "missing member"),
        PathCase("user.missing.deeper", ["user": user], nil, "missing intermediate"),
        PathCase("user.name.first", ["user": user], nil, "through a string"),
        PathCase("user.age.x", ["user": user], nil, "through a number"),
        PathCase("ghost.name", ["user": user], nil, "missing root"),
        PathCase("user.name", ["user": "Ada"], nil, "root of the wrong kind"),
        PathCase("list.1", ["list": [1, 2, 3]], 2, "top-level array"),
        PathCase("list.1.0", ["list": [[1], [2, 3]]], 2, "array in array"),
        // Flat names with dots: read when nothing nested is found.
        PathCase("app.version", ["app.version": "1.2.3"], "1.2.3", "flat dotted key, nothing nested"),
        PathCase("app.version", ["app.version": "flat", "app": ["version": "nested"]], "nested", "nested wins over flat"),
        PathCase("app.version", ["app.version": "flat", "app": ["build": "7"]], "flat", "flat when the walk misses"),
        PathCase(#"app\.version"#, ["app.version": "flat", "app": ["version": "nested"]], "flat", "escaped reads only flat"),
        PathCase(#"app\.version"#, ["app": ["version": "nested"]], nil, "escaped never walks"),
        PathCase(#"a\\b.c"#, [#"a\b.c"#: "flat", #"a\b"#: ["d": 1]], nil, "no flat fallback once escapes are used"),
        PathCase(#"a\\b.c"#, [#"a\b"#: ["c": "deep"]], "deep", "escaped backslash in a root"),
        PathCase("plan", ["plan": "pro"], "pro", "plain name"),
    ]

    @Test(arguments: cases)
    func reads(_ row: PathCase) throws {
        let ctx = context("u1", row.attributes)
        let path = try AttributePath(row.path)
        #expect(ctx[path: path] == row.found)
        // Through the engine: `exists` sees exactly what the path finds.
        let present = row.found != nil && row.found != .null
        #expect(holds(Clause(attribute: row.path, .exists), ctx) == present)
        #expect(holds(Clause(attribute: row.path, .exists, negate: true), ctx) == !present)
        if case .string(let s)? = row.found {
            #expect(holds(Clause(attribute: row.path, .in, [s]), ctx))
            #expect(!holds(Clause(attribute: row.path, .in, [s], negate: true), ctx))
        }
    }

    /// A path that finds nothing fails every operator, negated or not.
    @Test(arguments: ["user.missing.deeper", "user.name.first", "user.tags.9", "ghost.name"])
    func missingPathsNeverHold(_ path: String) {
        let ctx = context("u1", ["user": AttributePathTests.user])
        for negate in [false, true] {
            #expect(!holds(Clause(attribute: path, .in, ["Ada"], negate: negate), ctx))
            #expect(!holds(Clause(attribute: path, .startsWith, [""], negate: negate), ctx))
            #expect(!holds(Clause(attribute: path, .greaterThan, ["0"], negate: negate), ctx))
        }
    }

    @Test func nestedArraysMatchElementWise() {
        let ctx = context("u1", ["user": AttributePathTests.user])
        #expect(holds(Clause(attribute: "user.tags", .in, ["staff"]), ctx))
        #expect(!holds(Clause(attribute: "user.tags", .in, ["staff"], negate: true), ctx))
        #expect(holds(Clause(attribute: "user.tags", .in, ["nope"], negate: true), ctx))
        #expect(holds(Clause(attribute: "user.orgs.0.roles", .in, ["admin"]), ctx))
        #expect(holds(Clause(attribute: "user.address.zip", .startsWith, ["75"]), ctx))
        #expect(holds(Clause(attribute: "user.age", .greaterThanOrEqual, ["18"]), ctx))
    }

    @Test func targetingKeyAsARootIsAString() {
        #expect(!holds(Clause(attribute: "targetingKey.x", .exists), context("u1")))
        #expect(holds(Clause(attribute: "targetingKey.x", .exists), context("u1", ["targetingKey.x": "flat"])))
    }

    @Test func targetsReadNestedAttributes() {
        let flag = ruleFlag([], targets: [Target(variant: "on", attribute: "account.id", values: ["42"])])
        let e = engine([flag])
        #expect(e.evaluate("f", context: context("u", ["account": ["id": 42]])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["account": ["id": ["7", "42"]]])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["account": ["id": 43]])).variant == "off")
        #expect(e.evaluate("f", context: context("u", ["account": "42"])).variant == "off")
    }

    @Test func cohortsReadNestedAttributes() {
        let cohorts = [Cohort(key: "beta", attribute: "org.id", members: ["acme"])]
        let e = engine([ruleFlag([Rule(clauses: [.inCohort("beta")], serve: .variant("on"))])], cohorts: cohorts)
        #expect(e.evaluate("f", context: context("u", ["org": ["id": "acme"]])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["org": ["id": "globex"]])).variant == "off")
        #expect(e.evaluate("f", context: context("u", ["customerId": "acme"])).variant == "off")
    }

    /// Bucketing on a nested attribute hashes the nested value exactly as a top-level one.
    @Test func rolloutsBucketByNestedAttributes() {
        func flag(_ bucketBy: String) -> Flag {
            Flag(key: "half", environments: ["production": FlagState(
                enabled: true, default: .rollout(.percentage(50, of: "on", rest: "off", bucketBy: bucketBy)))])
        }
        let nested = engine([flag("org.id")])
        let flat = engine([flag("orgId")])
        var seen = Set<String>()
        for i in 0..<200 {
            let id = "org-\(i)"
            let a = nested.evaluate("half", context: context("u", ["org": ["id": .string(id)]]))
            let b = flat.evaluate("half", context: context("u", ["orgId": .string(id)]))
            #expect(a.variant == b.variant)
            #expect(a.reason == .split)
            seen.insert(a.variant ?? "")
        }
        #expect(seen == ["on", "off"])
        let unbucketed = nested.evaluate("half", context: context("u", ["org": ["name": "x"]]))
        #expect(unbucketed.reason == .default)
        #expect(unbucketed.variant == "off")
    }

    @Test func keysCompareByBytes() {
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        let ctx = context("u", ["menu": .object([nfd: "espresso"])])
        #expect(!holds(Clause(attribute: "menu.\(nfc)", .exists), ctx))
        #expect(holds(Clause(attribute: "menu.\(nfd)", .exists), ctx))
        let flat = context("u", [nfd: "espresso"])
        #expect(!holds(Clause(attribute: nfc, .exists), flat))
        #expect(holds(Clause(attribute: nfd, .exists), flat))
    }
}

/// Malformed paths are refused when a definition is written, naming the field.
@Suite struct AttributePathValidationTests {
    static func flag(_ state: FlagState) -> Flag { Flag(key: "f", environments: ["production": state]) }

    @Test(arguments: [
        (flag(FlagState(enabled: true, rules: [Rule(clauses: [Clause(attribute: "user..plan", .in, ["pro"])], serve: .variant("on"))])),
         "environments.production.rules[0].clauses[0].attribute", "empty segment"),
        (flag(FlagState(enabled: true, rules: [Rule(clauses: [Clause(attribute: #"plan\"#, .exists)], serve: .variant("on"))])),
         "environments.production.rules[0].clauses[0].attribute", "unfinished escape"),
        (flag(FlagState(enabled: true, targets: [Target(variant: "on", attribute: "account.", values: ["1"])])),
         "environments.production.targets[0].attribute", "empty segment"),
        (flag(FlagState(enabled: true, default: .rollout(.percentage(10, of: "on", rest: "off", bucketBy: #"org\id"#)))),
         "environments.production.default.rollout.bucketBy", "backslash"),
        (flag(FlagState(enabled: true, rules: [Rule(clauses: [Clause(attribute: "a", .exists)], serve: .rollout(
            .percentage(10, of: "on", rest: "off", bucketBy: ".org")))])),
         "environments.production.rules[0].serve.rollout.bucketBy", "empty segment"),
    ])
    func refusedInFlags(_ flag: Flag, _ path: String, _ mentions: String) throws {
        let error = try #require(throws: ValidationError.self) { try flag.validate() }
        #expect(error.path == path, "\(error)")
        #expect(error.description.contains(mentions), "\(error)")
        // The engine refuses it too: the flag is a PARSE_ERROR, never evaluated half-compiled.
        #expect(engine([flag]).evaluate("f", context: context("u")).errorCode == .parseError)
    }

    @Test func refusedInCohorts() throws {
        let error = try #require(throws: ValidationError.self) {
            try Cohort(key: "beta", attribute: "org..id", members: ["acme"]).validate()
        }
        #expect(error.path == "attribute")
        #expect(error.description.contains("empty segment"))
        let clause = try #require(throws: ValidationError.self) {
            try Cohort(key: "beta", clauses: [Clause(attribute: #"x\"#, .exists)]).validate()
        }
        #expect(clause.path == "clauses[0].attribute")
    }

    @Test func validPathsPass() throws {
        try AttributePathValidationTests.flag(FlagState(
            enabled: true, targets: [Target(variant: "on", attribute: "account.id", values: ["1"])],
            rules: [Rule(clauses: [Clause(attribute: #"app\.version"#, .semverGreaterThan, ["1.0.0"])], serve: .variant("on"))],
            default: .rollout(.percentage(10, of: "on", rest: "off", bucketBy: "org.id")))).validate()
        try Cohort(key: "beta", attribute: "org.id", members: ["acme"]).validate()
    }
}
