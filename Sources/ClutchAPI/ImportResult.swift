/// What an import changed (or, in a dry run, would change).
public struct ImportResult: Sendable, Hashable, Codable {
    public var changes: [ImportChange]

    public init(changes: [ImportChange]) { self.changes = changes }
}

/// One flag or cohort of an imported document and what importing it does.
public struct ImportChange: Sendable, Hashable, Codable {
    /// `flag` or `cohort`.
    public var kind: String
    public var key: String
    /// The cohort's environment; `nil` for flags.
    public var environment: String?
    /// `create`, `update` or `unchanged`.
    public var action: String
    /// The fields that differ from what is stored.
    public var fields: [FieldChange]

    public init(kind: String, key: String, environment: String?, action: String, fields: [FieldChange]) {
        self.kind = kind
        self.key = key
        self.environment = environment
        self.action = action
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey { case kind, key, environment, action, fields }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(String.self, forKey: .kind),
            key: try c.decode(String.self, forKey: .key),
            environment: try c.decodeIfPresent(String.self, forKey: .environment),
            action: try c.decode(String.self, forKey: .action),
            fields: try c.decodeIfPresent([FieldChange].self, forKey: .fields) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(key, forKey: .key)
        try c.encode(environment, forKey: .environment)
        try c.encode(action, forKey: .action)
        try c.encode(fields, forKey: .fields)
    }
}
