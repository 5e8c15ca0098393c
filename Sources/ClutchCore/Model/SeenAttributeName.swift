/// The kind of value an evaluation context carried under an attribute name: what the server
/// records of the contexts it sees (never the value itself).
public enum AttributeKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case string, number, bool, list, object

    /// The kind of `value`; `nil` for `null`, which says nothing about the attribute.
    public init?(_ value: Value) {
        switch value {
        case .null: return nil
        case .bool: self = .bool
        case .integer, .double: self = .number
        case .string: self = .string
        case .array: self = .list
        case .object: self = .object
        }
    }

    /// Kinds sort as they are declared (the order the API lists them in).
    public static func < (a: AttributeKind, b: AttributeKind) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .string: 0
        case .number: 1
        case .bool: 2
        case .list: 3
        case .object: 4
        }
    }
}

/// An attribute name a context carried, with the kind of its value: one entry of what the server
/// has seen in an environment's contexts, and of the names an SDK's usage report lists.
///
/// Nested attributes are named as ``AttributePath`` reads them: `user.plan` for the `plan` field
/// of an object `user`, with dots and backslashes inside a key escaped (`app\.version` for a flat
/// attribute named `app.version`), so a name can be written in a rule as it is listed.
public struct SeenAttributeName: Sendable, Hashable, Codable {
    public var name: String
    public var kind: AttributeKind

    public init(name: String, kind: AttributeKind) {
        self.name = name
        self.kind = kind
    }
}

/// How much of the contexts' attribute names is recorded: names only, never values, and bounded
/// so that whoever holds a (public) client key cannot grow the server's memory or tables.
/// Shared by the server and the SDK so that they cannot disagree.
public enum SeenAttributeLimits {
    /// Names (with kinds) kept per environment, in memory between writes and in the store;
    /// beyond it new names are dropped (names already kept still count as seen again).
    public static let maxPerEnvironment = 1_000
    /// Names one usage report may list.
    public static let maxPerReport = 200
    /// The longest name recorded (UTF-8 bytes, escapes included); longer ones are skipped.
    public static let maxNameBytes = 256
    /// Segments of a nested name: fields deeper than `a.b.c.d` are not listed.
    public static let maxDepth = 4
    /// Names read from one context: the walk stops after these, whatever the context holds.
    public static let maxPerContext = 200
}

extension SeenAttributeName {
    /// The attribute names (and kinds) `context` carries, `targetingKey` included, objects'
    /// fields as nested names, in no particular order; at most
    /// ``SeenAttributeLimits/maxPerContext`` of them, none longer than
    /// ``SeenAttributeLimits/maxNameBytes``, none deeper than ``SeenAttributeLimits/maxDepth``, and
    /// none for `null`. Arrays are one `list` name: rules index them (`items.0`), and their lengths vary.
    public static func names(in context: EvaluationContext, into out: inout [SeenAttributeName]) {
        var budget = SeenAttributeLimits.maxPerContext
        if context.targetingKey != nil {
            out.append(SeenAttributeName(name: "targetingKey", kind: .string))
            budget -= 1
        }
        let table = context.table
        for index in 0..<table.count {
            guard budget > 0 else { return }
            let (name, _, value) = table.entry(at: index)
            visit(AttributePath.escaping(name), value, depth: 1, budget: &budget, into: &out)
        }
    }

    /// A fingerprint of the names and kinds ``names(in:into:)`` would list for `context`, made
    /// without allocating: contexts of one application nearly always carry the same names, so a
    /// recorder that has collected a fingerprint's names skips the walk for it. Independent of
    /// the order of the attributes; seeded per process (top-level names are hashed with the
    /// context's own table hash). Two shapes sharing a fingerprint are a 1 in 2⁶⁴ chance, and
    /// then only delay a name until a context of another shape carries it.
    public static func shape(of context: EvaluationContext) -> UInt64 {
        var sum: UInt64 = context.targetingKey == nil ? 0 : 0x9E37_79B9_7F4A_7C15
        let table = context.table
        for index in 0..<min(table.count, SeenAttributeLimits.maxPerContext) {
            let (_, hash, value) = table.entry(at: index)
            sum &+= mix(UInt64(hash), value, depth: 1)
        }
        return sum
    }

    /// One attribute's share of ``shape(of:)``: its name's hash and its kind, and an object's fields.
    private static func mix(_ nameHash: UInt64, _ value: Value, depth: Int) -> UInt64 {
        var kind: UInt64
        switch value {
        case .null: kind = 1
        case .bool: kind = 2
        case .integer, .double: kind = 3
        case .string: kind = 4
        case .array: kind = 5
        case .object(let fields):
            kind = 6
            if depth < SeenAttributeLimits.maxDepth {
                for (field, inner) in fields {
                    var hasher = Hasher()
                    hasher.combine(field)
                    kind &+= mix(UInt64(UInt(bitPattern: hasher.finalize())), inner, depth: depth + 1) &* 31
                }
            }
        }
        // A 64-bit finaliser (splitmix64's), so sums of different sets of attributes rarely meet.
        var z = nameHash &* 0xBF58_476D_1CE4_E5B9 ^ kind &* 0x94D0_49BB_1331_11EB
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func visit(_ name: String, _ value: Value, depth: Int, budget: inout Int, into out: inout [SeenAttributeName]) {
        guard let kind = AttributeKind(value), name.utf8.count <= SeenAttributeLimits.maxNameBytes else { return }
        out.append(SeenAttributeName(name: name, kind: kind))
        budget -= 1
        guard case .object(let fields) = value, depth < SeenAttributeLimits.maxDepth else { return }
        for (field, inner) in fields {
            guard budget > 0 else { return }
            visit(name + "." + AttributePath.escaping(field), inner, depth: depth + 1, budget: &budget, into: &out)
        }
    }

    /// Whether `name` (as listed: escaped segments joined by dots) is one a rule may name.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= SeenAttributeLimits.maxNameBytes && (try? AttributePath(name)) != nil
    }
}

extension Set<SeenAttributeName> {
    /// Adds `names` while the set holds fewer than `limit`: a bounded collection of names,
    /// whatever the contexts hold.
    @inline(__always)
    public mutating func formBounded(_ names: [SeenAttributeName], limit: Int) {
        for name in names {
            guard count < limit else { return }
            insert(name)
        }
    }
}
