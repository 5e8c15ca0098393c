/// One named value a flag can serve, for example `on: true` or `blue: "#0000ff"`.
public struct Variant: Sendable, Hashable, Codable {
    /// The variant's name, unique within its flag; what OFREP reports as `variant`.
    public var key: String
    /// The value served; its kind must match the flag's type.
    public var value: Value
    /// What this variant means, for people.
    public var description: String?

    public init(key: String, value: Value, description: String? = nil) {
        self.key = key
        self.value = value
        self.description = description
    }

    enum CodingKeys: String, CodingKey { case key, value, description }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        value = try c.decode(Value.self, forKey: .value)
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }
}
