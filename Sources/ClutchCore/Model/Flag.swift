/// A feature flag: its typed variants and, per environment, the state that decides
/// who gets which variant.
///
/// The same JSON form is used by the admin API, the SDK snapshot and export/import.
/// Missing optional fields decode to their defaults: a boolean flag gets the variants
/// `on: true` and `off: false` with `off` as its off variant, and an environment
/// without a state is off.
public struct Flag: Sendable, Hashable {
    public var key: String
    public var type: FlagType
    public var description: String
    public var tags: [String]
    /// Variants in a meaningful order: the first one that is not the off variant is
    /// what a new flag serves when switched on.
    public var variants: [Variant]
    /// Served while the flag is disabled, and to contexts that cannot be bucketed.
    public var offVariant: String
    /// Bucketing salt; `nil` means the flag key. Changing it reshuffles every rollout.
    public var salt: String?
    /// Archived flags are hidden from listings and no longer served to SDKs.
    public var archived: Bool
    /// State per environment name. An environment that is absent here is off.
    public var environments: [String: FlagState]

    public init(
        key: String, type: FlagType = .boolean, description: String = "", tags: [String] = [],
        variants: [Variant]? = nil, offVariant: String? = nil, salt: String? = nil,
        archived: Bool = false, environments: [String: FlagState] = [:]
    ) {
        self.key = key
        self.type = type
        self.description = description
        self.tags = tags
        self.variants = variants ?? Flag.defaultVariants(for: type)
        self.offVariant = offVariant ?? Flag.defaultOffVariant(for: type, variants: self.variants)
        self.salt = salt
        self.archived = archived
        self.environments = environments
    }

    /// The salt actually used for bucketing.
    public var effectiveSalt: String { salt ?? key }

    /// The variant with `key`, if the flag has one.
    public func variant(_ key: String) -> Variant? {
        variants.first { $0.key == key }
    }

    /// What the flag serves by default when switched on and nothing else matches:
    /// `on` for a boolean flag, otherwise the first variant that is not the off variant.
    public var naturalDefault: Serve {
        if type == .boolean, variant("on") != nil, offVariant != "on" { return .variant("on") }
        let first = variants.first { $0.key != offVariant } ?? variants.first
        return .variant(first?.key ?? offVariant)
    }

    /// The state in `environment`, or the state of a flag never touched there (off).
    public func state(in environment: String) -> FlagState {
        environments[environment] ?? FlagState()
    }

    static func defaultVariants(for type: FlagType) -> [Variant] {
        type == .boolean ? [Variant(key: "on", value: .bool(true)), Variant(key: "off", value: .bool(false))] : []
    }

    static func defaultOffVariant(for type: FlagType, variants: [Variant]) -> String {
        if type == .boolean, variants.contains(where: { $0.key == "off" }) { return "off" }
        return variants.last?.key ?? ""
    }
}

extension Flag: Codable {
    enum CodingKeys: String, CodingKey {
        case key, type, description, tags, variants, offVariant, salt, archived, environments
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(FlagType.self, forKey: .type) ?? .boolean
        self.init(
            key: try c.decode(String.self, forKey: .key),
            type: type,
            description: try c.decodeIfPresent(String.self, forKey: .description) ?? "",
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            variants: try c.decodeIfPresent([Variant].self, forKey: .variants),
            offVariant: try c.decodeIfPresent(String.self, forKey: .offVariant),
            salt: try c.decodeIfPresent(String.self, forKey: .salt),
            archived: try c.decodeIfPresent(Bool.self, forKey: .archived) ?? false,
            environments: try c.decodeIfPresent([String: FlagState].self, forKey: .environments) ?? [:]
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(type, forKey: .type)
        try c.encode(description, forKey: .description)
        try c.encode(tags, forKey: .tags)
        try c.encode(variants, forKey: .variants)
        try c.encode(offVariant, forKey: .offVariant)
        try c.encodeIfPresent(salt, forKey: .salt)
        try c.encode(archived, forKey: .archived)
        try c.encode(environments, forKey: .environments)
    }
}
