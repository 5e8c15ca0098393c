import ClutchCore
import Testing

/// What a context's attribute names look like once recorded: named as rules name them, with
/// kinds, and bounded whatever the context holds.
@Suite("Seen attribute names")
struct SeenAttributeNameTests {
    static func names(_ context: EvaluationContext) -> [String: AttributeKind] {
        var names: [SeenAttributeName] = []
        SeenAttributeName.names(in: context, into: &names)
        return Dictionary(names.map { ($0.name, $0.kind) }) { first, _ in first }
    }

    @Test func aContextsNamesAreTheOnesARuleWouldWriteWithTheirKinds() throws {
        let context = try EvaluationContext(json: [
            "targetingKey": "u1", "plan": "pro", "seats": 3, "ratio": 0.5, "beta": true, "roles": ["admin"], "nothing": .null,
            "user": ["address": ["city": "Oslo"]], "app.version": "1.2", "a\\b": "x",
        ])
        let names = Self.names(context)
        #expect(names == [
            "targetingKey": .string, "plan": .string, "seats": .number, "ratio": .number, "beta": .bool, "roles": .list,
            "user": .object, "user.address": .object, "user.address.city": .string, "app\\.version": .string, "a\\\\b": .string,
        ])
        // Each listed name reads its attribute back as a rule would.
        for name in ["user.address.city", "app\\.version", "a\\\\b"] {
            #expect(context[path: try AttributePath(name)] != nil, "\(name)")
        }
    }

    @Test func theWalkStopsAtItsDepthItsCountAndLongNames() throws {
        let deep = try EvaluationContext(json: ["a": ["b": ["c": ["d": ["e": "too deep"]]]]])
        #expect(Self.names(deep).keys.sorted() == ["a", "a.b", "a.b.c", "a.b.c.d"])
        var wide: [String: Value] = [:]
        for i in 0..<900 { wide["n\(i)"] = .bool(true) }
        #expect(Self.names(try EvaluationContext(json: wide)).count == SeenAttributeLimits.maxPerContext)
        let long = String(repeating: "x", count: SeenAttributeLimits.maxNameBytes + 1)
        #expect(Self.names(try EvaluationContext(json: [long: "v", "short": "v"])).keys.sorted() == ["short"])
    }

    @Test func aSetOfNamesGrowsNoFurtherThanItsLimit() {
        var set: Set<SeenAttributeName> = []
        set.formBounded((0..<50).map { SeenAttributeName(name: "n\($0)", kind: .string) }, limit: 10)
        #expect(set.count == 10)
    }

    @Test func contextsCarryingTheSameNamesAndKindsShareAShapeAndAnyOtherNameOrKindChangesIt() throws {
        let shape = { (json: [String: Value]) throws -> UInt64 in SeenAttributeName.shape(of: try EvaluationContext(json: json)) }
        let base = try shape(["targetingKey": "u1", "plan": "pro", "org": ["id": 1]])
        #expect(try shape(["org": ["id": 7], "plan": "free", "targetingKey": "u2"]) == base, "values do not count, nor order")
        #expect(try shape(["targetingKey": "u1", "plan": "pro", "org": ["id": "x"]]) != base, "a nested kind")
        #expect(try shape(["targetingKey": "u1", "plan": "pro", "org": ["ID": 1]]) != base, "a nested name")
        #expect(try shape(["targetingKey": "u1", "Plan": "pro", "org": ["id": 1]]) != base, "a name")
        #expect(try shape(["plan": "pro", "org": ["id": 1]]) != base, "no targeting key")
    }
}
