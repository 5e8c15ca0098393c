/// A feature flag: its typed variants and, per environment, the state that decides
/// who gets which variant.
///
/// The same JSON form is used by the admin API, the SDK snapshot and export/import.
/// Missing optional fields decode to their defaults: a boolean flag gets the variants
/// `on: true` and `off: false` with `off` as its off variant, and an environment
/// without a state is off.
public struct Flag: Sendable, Hashable {
    // One reference to shared storage, copied on write: a snapshot of 10,000 flags is copied on
    // every change (the immutable-engine design), and copying a flag then costs one retain
    // instead of one per field.
    private var storage: Storage

    public var key: String {
        get { storage.key }
        _modify { unique(); yield &storage.key }
    }
    public var type: FlagType {
        get { storage.type }
        _modify { unique(); yield &storage.type }
    }
    public var description: String {
        get { storage.description }
        _modify { unique(); yield &storage.description }
    }
    public var tags: [String] {
        get { storage.tags }
        _modify { unique(); yield &storage.tags }
    }
    /// Variants in a meaningful order: the first one that is not the off variant is
    /// what a new flag serves when switched on.
    public var variants: [Variant] {
        get { storage.variants }
        _modify { unique(); yield &storage.variants }
    }
    /// Served while the flag is disabled, and to contexts that cannot be bucketed.
    public var offVariant: String {
        get { storage.offVariant }
        _modify { unique(); yield &storage.offVariant }
    }
    /// Bucketing salt; `nil` means the flag key. Changing it reshuffles every rollout.
    public var salt: String? {
        get { storage.salt }
        _modify { unique(); yield &storage.salt }
    }
    /// What the flag is for, which says how long it is meant to live (``FlagKind``).
    public var kind: FlagKind {
        get { storage.kind }
        _modify { unique(); yield &storage.kind }
    }
    /// Who should clean the flag up: an email address (``OwnerRule``), or `nil`.
    public var owner: String? {
        get { storage.owner }
        _modify { unique(); yield &storage.owner }
    }
    /// Archived flags are hidden from listings and no longer served to SDKs.
    public var archived: Bool {
        get { storage.archived }
        _modify { unique(); yield &storage.archived }
    }
    /// State per environment name. An environment that is absent here is off.
    public var environments: [String: FlagState] {
        get { storage.environments }
        _modify { unique(); yield &storage.environments }
    }

    public init(
        key: String, type: FlagType = .boolean, description: String = "", tags: [String] = [],
        variants: [Variant]? = nil, offVariant: String? = nil, salt: String? = nil,
        kind: FlagKind = .release, owner: String? = nil, archived: Bool = false, environments: [String: FlagState] = [:]
    ) {
        let variants = variants ?? Flag.defaultVariants(for: type)
        storage = Storage(
            key: key, type: type, description: description, tags: tags, variants: variants,
            offVariant: offVariant ?? Flag.defaultOffVariant(for: type, variants: variants),
            salt: salt, kind: kind, owner: owner, archived: archived, environments: environments)
    }

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Mutated only through `unique()`, so never while another flag value shares it.
    private final class Storage: @unchecked Sendable {
        var key: String
        var type: FlagType
        var description: String
        var tags: [String]
        var variants: [Variant]
        var offVariant: String
        var salt: String?
        var kind: FlagKind
        var owner: String?
        var archived: Bool
        var environments: [String: FlagState]

        init(
            key: String, type: FlagType, description: String, tags: [String], variants: [Variant], offVariant: String,
            salt: String?, kind: FlagKind, owner: String?, archived: Bool, environments: [String: FlagState]
        ) {
            self.key = key
            self.type = type
            self.description = description
            self.tags = tags
            self.variants = variants
            self.offVariant = offVariant
            self.salt = salt
            self.kind = kind
            self.owner = owner
            self.archived = archived
            self.environments = environments
        }

        func copy() -> Storage {
            Storage(
                key: key, type: type, description: description, tags: tags, variants: variants, offVariant: offVariant,
                salt: salt, kind: kind, owner: owner, archived: archived, environments: environments)
        }
    }

    public static func == (a: Flag, b: Flag) -> Bool {
        if a.storage === b.storage { return true }
        return a.key == b.key && a.type == b.type && a.description == b.description && a.tags == b.tags
            && a.variants == b.variants && a.offVariant == b.offVariant && a.salt == b.salt && a.kind == b.kind
            && a.owner == b.owner && a.archived == b.archived
            && a.environments == b.environments
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(type)
        hasher.combine(description)
        hasher.combine(tags)
        hasher.combine(variants)
        hasher.combine(offVariant)
        hasher.combine(salt)
        hasher.combine(kind)
        hasher.combine(owner)
        hasher.combine(archived)
        hasher.combine(environments)
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
        case key, type, description, tags, variants, offVariant, salt, kind, owner, archived, environments
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
            kind: try c.decodeIfPresent(FlagKind.self, forKey: .kind) ?? .release,
            owner: try c.decodeIfPresent(String.self, forKey: .owner),
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
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encode(archived, forKey: .archived)
        try c.encode(environments, forKey: .environments)
    }
}
