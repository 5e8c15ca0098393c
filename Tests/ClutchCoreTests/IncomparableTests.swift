import Testing
import ClutchCore

/// A clause and an attribute value its operator cannot compare.
struct IncomparableCase: CustomTestStringConvertible, Sendable {
    let op: Operator
    let values: [String]
    let attribute: Value?

    init(_ op: Operator, _ values: [String], _ attribute: Value?) {
        self.op = op
        self.values = values
        self.attribute = attribute
    }

    var testDescription: String {
        "attr \(op.rawValue) \(values) with \(attribute.map { $0.jsonText } ?? "<absent>")"
    }
}

/// One rule for "cannot compare": a clause on a missing or null attribute, one of the wrong
/// kind, or text its operator cannot parse does not hold — and neither does its negation.
@Suite struct IncomparableTests {
    static let object: Value = ["k": "v"]

    static let cases: [IncomparableCase] = {
        var rows: [IncomparableCase] = []
        // Missing, null, an object and an array of arrays: no operator compares these.
        for op in Operator.allCases where op != .exists {
            let values = IncomparableTests.sampleValues(op)
            for value in [nil, Value.null, object, [[1]], [object]] as [Value?] {
                rows.append(IncomparableCase(op, values, value))
            }
        }
        rows += [
            // in: a boolean compares as text, a number as number or text; only these are left.
            IncomparableCase(.in, ["a"], [.null]),
            // string operators on numbers and booleans
            IncomparableCase(.startsWith, ["1"], 12), IncomparableCase(.startsWith, ["t"], true),
            IncomparableCase(.startsWith, ["1"], 1.5), IncomparableCase(.startsWith, ["1"], [12, true]),
            IncomparableCase(.endsWith, ["2"], 12), IncomparableCase(.endsWith, ["e"], false),
            IncomparableCase(.contains, ["2"], 123), IncomparableCase(.contains, ["ru"], true),
            IncomparableCase(.matches, ["\\d+"], 123), IncomparableCase(.matches, ["true"], true),
            // numbers: text that is not a number, booleans
            IncomparableCase(.lessThan, ["10"], "abc"), IncomparableCase(.lessThan, ["10"], ""),
            IncomparableCase(.lessThanOrEqual, ["10"], " 5"), IncomparableCase(.lessThanOrEqual, ["10"], "0x5"),
            IncomparableCase(.greaterThan, ["1"], "inf"), IncomparableCase(.greaterThan, ["1"], "1e999"),
            IncomparableCase(.greaterThanOrEqual, ["1"], true), IncomparableCase(.greaterThanOrEqual, ["1"], "05"),
            IncomparableCase(.lessThan, ["10"], .double(.nan)), IncomparableCase(.lessThan, ["10"], ["x", false]),
            // semantic versions: not-a-version text, booleans, negative and exponent numbers
            IncomparableCase(.semverEqual, ["1.0.0"], "not-a-version"), IncomparableCase(.semverEqual, ["1.0.0"], true),
            IncomparableCase(.semverLessThan, ["2.0.0"], "01.1.1"), IncomparableCase(.semverLessThan, ["2.0.0"], -1),
            IncomparableCase(.semverLessThanOrEqual, ["2.0.0"], "1.2.3-0123"), IncomparableCase(.semverLessThanOrEqual, ["2.0.0"], 1e16),
            IncomparableCase(.semverGreaterThan, ["1.0.0"], "1.2-rc.1"), IncomparableCase(.semverGreaterThan, ["1.0.0"], ""),
            IncomparableCase(.semverGreaterThanOrEqual, ["1.0.0"], "1.0.0+"), IncomparableCase(.semverGreaterThanOrEqual, ["1.0.0"], -2.5),
            // dates: text that is not a date, booleans
            IncomparableCase(.before, ["2026-01-01"], "yesterday"), IncomparableCase(.before, ["2026-01-01"], true),
            IncomparableCase(.after, ["2026-01-01"], "2026-13-01"), IncomparableCase(.after, ["2026-01-01"], false),
        ]
        return rows
    }()

    /// Values an operator accepts in a definition.
    static func sampleValues(_ op: Operator) -> [String] {
        switch op {
        case .in, .startsWith, .endsWith, .contains, .matches: return ["a"]
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: return ["10"]
        case .semverEqual, .semverLessThan, .semverLessThanOrEqual, .semverGreaterThan, .semverGreaterThanOrEqual: return ["1.0.0"]
        case .before, .after: return ["2026-01-01"]
        case .exists: return []
        }
    }

    @Test(arguments: cases)
    func neitherHoldsNorNegationHolds(_ row: IncomparableCase) {
        var attributes: [String: Value] = [:]
        if let value = row.attribute { attributes["attr"] = value }
        let ctx = context("u", attributes)
        #expect(!holds(Clause(attribute: "attr", row.op, row.values), ctx))
        #expect(!holds(Clause(attribute: "attr", row.op, row.values, negate: true), ctx))
    }

    /// The other side of the rule: a value the operator can compare and that does not satisfy
    /// it fails, so its negation holds — negation still flips.
    @Test(arguments: [
        IncomparableCase(.in, ["a"], "b"), IncomparableCase(.in, ["1"], 2), IncomparableCase(.in, ["true"], false),
        IncomparableCase(.in, ["a"], []), IncomparableCase(.in, ["a"], ["b", 1]),
        IncomparableCase(.startsWith, ["x"], "abc"), IncomparableCase(.startsWith, ["x"], ["abc", 5]),
        IncomparableCase(.endsWith, ["x"], "abc"), IncomparableCase(.contains, ["x"], "abc"),
        IncomparableCase(.matches, ["^x"], "abc"),
        IncomparableCase(.lessThan, ["10"], 11), IncomparableCase(.lessThan, ["10"], "11"),
        IncomparableCase(.greaterThan, ["10"], "-1.5e3"), IncomparableCase(.greaterThanOrEqual, ["10"], [1, "x"]),
        IncomparableCase(.semverEqual, ["1.0.0"], "1.0.1"), IncomparableCase(.semverGreaterThan, ["1.0.0"], 1),
        IncomparableCase(.semverLessThan, ["1.0.0"], "v1.0.0"), IncomparableCase(.semverLessThan, ["2.0.0"], 2.5),
        IncomparableCase(.before, ["2026-01-01"], "2027-01-01"), IncomparableCase(.after, ["2026-01-01"], 0),
    ])
    func comparableMismatchesNegate(_ row: IncomparableCase) {
        let ctx = context("u", ["attr": row.attribute ?? .null])
        #expect(!holds(Clause(attribute: "attr", row.op, row.values), ctx))
        #expect(holds(Clause(attribute: "attr", row.op, row.values, negate: true), ctx))
    }

    /// `exists` keeps its meaning: present and not null, whatever the kind.
    @Test(arguments: [("x", true), (1, true), (false, true), ([], true), (["k": .null], true), (.null, false)] as [(Value, Bool)])
    func existsIsAboutPresence(_ value: Value, _ present: Bool) {
        let ctx = context("u", ["attr": value])
        #expect(holds(Clause(attribute: "attr", .exists), ctx) == present)
        #expect(holds(Clause(attribute: "attr", .exists, negate: true), ctx) == !present)
        #expect(!holds(Clause(attribute: "attr", .exists), context("u")))
        #expect(holds(Clause(attribute: "attr", .exists, negate: true), context("u")))
    }

    /// Strings spelled as numbers compare as numbers; others are not numbers at all.
    @Test(arguments: [
        ("42", true), ("42.5", true), ("-0", false), ("1e2", true), ("1E+2", true), ("41.999", false),
        ("042", nil), ("+42", nil), ("42.", nil), (".5", nil), ("4_2", nil), ("NaN", nil), ("-inf", nil), ("0x2A", nil),
    ] as [(String, Bool?)])
    func numericStrings(_ text: String, _ greaterThan41: Bool?) {
        let ctx = context("u", ["n": .string(text)])
        let clause = Clause(attribute: "n", .greaterThanOrEqual, ["42"])
        if let greaterThan41 {
            #expect(holds(clause, ctx) == greaterThan41)
            #expect(holds(Clause(attribute: "n", .greaterThanOrEqual, ["42"], negate: true), ctx) == !greaterThan41)
        } else {
            #expect(!holds(clause, ctx))
            #expect(!holds(Clause(attribute: "n", .greaterThanOrEqual, ["42"], negate: true), ctx))
        }
    }
}
