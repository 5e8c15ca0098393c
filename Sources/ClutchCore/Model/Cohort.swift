/// A named set of contexts in one environment, reused by any number of flags through
/// `in cohort NAME` clauses. A context is a member when its `attribute` (normally
/// `customerId`) is one of `members`, or when the cohort has clauses and all of them hold.
public struct Cohort: Sendable, Hashable {
    public var key: String
    public var description: String
    /// The attribute `members` are compared with; a dotted path reads a nested one (``AttributePath``).
    public var attribute: String
    /// Explicit members, compared by their UTF-8 bytes; tested in O(1) however many there are.
    public var members: [String]
    /// Conditions that also make a context a member. Cohort clauses may not name cohorts.
    public var clauses: [Clause]

    public init(
        key: String, description: String = "", attribute: String = "customerId",
        members: [String] = [], clauses: [Clause] = []
    ) {
        self.key = key
        self.description = description
        self.attribute = attribute
        self.members = members
        self.clauses = clauses
    }
}

extension Cohort: Codable {
    enum CodingKeys: String, CodingKey { case key, description, attribute, members, clauses }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: try c.decode(String.self, forKey: .key),
            description: try c.decodeIfPresent(String.self, forKey: .description) ?? "",
            attribute: try c.decodeIfPresent(String.self, forKey: .attribute) ?? "customerId",
            members: try c.decodeIfPresent([String].self, forKey: .members) ?? [],
            clauses: try c.decodeIfPresent([Clause].self, forKey: .clauses) ?? []
        )
    }
}
