/// One named edit of a cohort's members, in the same shape as a flag's ``Instruction``:
/// `{"kind": "addMembers", "values": ["acme"]}` or `{"kind": "removeMembers", "values": [...]}`.
/// Sent as a list to `POST …/cohorts/{key}/changes`, applied in order in one transaction.
public enum MemberInstruction: Sendable, Hashable {
    /// Makes `values` members (those already members stay).
    case addMembers([String])
    /// Makes `values` not members (those not members stay so).
    case removeMembers([String])

    /// Every `kind`, for error messages and documentation.
    public static let kinds = ["addMembers", "removeMembers"]

    /// The net change of `instructions` applied in order: for each member, its last instruction
    /// decides (add then remove leaves it out). An empty member is refused, naming
    /// `instructions[i].values[j]`.
    public static func netChange(_ instructions: [MemberInstruction]) throws(ValidationError) -> MemberChange {
        // Keyed by the exact bytes: members are compared byte for byte (`MemberOrder`), and
        // String's == would take two spellings of "é" for one.
        var last: [[UInt8]: (member: String, add: Bool)] = [:]
        for (index, instruction) in instructions.enumerated() {
            let (values, add): ([String], Bool)
            switch instruction {
            case .addMembers(let members): (values, add) = (members, true)
            case .removeMembers(let members): (values, add) = (members, false)
            }
            for (position, member) in values.enumerated() {
                guard !member.isEmpty else {
                    throw ValidationError(path: "instructions[\(index)].values[\(position)]", "a member must not be empty")
                }
                last[Array(member.utf8)] = (member, add)
            }
        }
        var added: [String] = [], removed: [String] = []
        for decision in last.values {
            if decision.add { added.append(decision.member) } else { removed.append(decision.member) }
        }
        return MemberChange(added: MemberOrder.sorted(added), removed: MemberOrder.sorted(removed))
    }
}

extension MemberInstruction: Codable {
    private enum CodingKeys: String, CodingKey { case kind, values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        guard Self.kinds.contains(kind) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "unknown instruction '\(kind)'; one of \(Self.kinds.joined(separator: ", "))")
        }
        // A misspelt field is an error, not an edit silently different from the one meant.
        let any = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in any.allKeys where CodingKeys(stringValue: key.stringValue) == nil {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [key], debugDescription: "'\(kind)' has no field '\(key.stringValue)'"))
        }
        let values = try c.decode([String].self, forKey: .values)
        self = kind == "addMembers" ? .addMembers(values) : .removeMembers(values)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .addMembers(let values):
            try c.encode("addMembers", forKey: .kind)
            try c.encode(values, forKey: .values)
        case .removeMembers(let values):
            try c.encode("removeMembers", forKey: .kind)
            try c.encode(values, forKey: .values)
        }
    }
}
