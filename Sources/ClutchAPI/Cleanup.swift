import ClutchCore
import Foundation

/// `GET /api/v1/cleanup`: the flags whose checks can probably leave the code — each stale flag,
/// and each flag that no uploaded code scan references — with the next step for each.
public struct CleanupReport: Sendable, Hashable, Codable {
    /// The environment the stages are read in; `nil`: overall.
    public var environment: String?
    /// Whether any code scan has been uploaded (`clutch refs scan --upload`); without one, no
    /// reference is known and ``CleanupEntry/references`` is `nil`.
    public var scanned: Bool
    /// Sorted by key.
    public var flags: [CleanupEntry]

    public init(environment: String?, scanned: Bool, flags: [CleanupEntry]) {
        self.environment = environment
        self.scanned = scanned
        self.flags = flags
    }

    /// The flags `clutch cleanup --archive` archives: stale, and referenced by no scan.
    public var archivable: [CleanupEntry] { flags.filter(\.archivable) }
}

/// One flag of a ``CleanupReport``.
public struct CleanupEntry: Sendable, Hashable, Codable {
    public var key: String
    public var kind: FlagKind
    public var owner: String?
    public var stage: FlagStage
    /// Why it is stale, when it is.
    public var reason: String?
    public var lastEvaluated: Date?
    /// Places the uploaded scans reference it; `nil` when no scan was uploaded.
    public var references: Int?
    /// What to do, in words: "on for everyone in every environment for 21 days, referenced in
    /// 3 places: remove the checks, then `clutch flags archive new-checkout`".
    public var nextStep: String
    /// Stale and referenced by no scan: `clutch cleanup --archive` archives it.
    public var archivable: Bool

    public init(
        key: String, kind: FlagKind, owner: String?, stage: FlagStage, reason: String?, lastEvaluated: Date?, references: Int?,
        nextStep: String, archivable: Bool
    ) {
        self.key = key
        self.kind = kind
        self.owner = owner
        self.stage = stage
        self.reason = reason
        self.lastEvaluated = lastEvaluated
        self.references = references
        self.nextStep = nextStep
        self.archivable = archivable
    }

    enum CodingKeys: String, CodingKey { case key, kind, owner, stage, reason, lastEvaluated, references, nextStep, archivable }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(kind, forKey: .kind)
        try c.encode(owner, forKey: .owner)
        try c.encode(stage, forKey: .stage)
        try c.encode(reason, forKey: .reason)
        try c.encode(lastEvaluated, forKey: .lastEvaluated)
        try c.encode(references, forKey: .references)
        try c.encode(nextStep, forKey: .nextStep)
        try c.encode(archivable, forKey: .archivable)
    }

    /// The entry for `record` read in `environment` (`nil`: overall), given the places the
    /// scans reference it (`nil`: no scan uploaded); `nil` when the flag needs no cleanup
    /// (not stale, and referenced or never scanned). The one rule for what cleanup lists.
    public static func of(_ record: FlagRecord, environment: String?, references: Int?) -> CleanupEntry? {
        guard let overall = record.lifecycle, !record.flag.archived else { return nil }
        let lifecycle = environment.flatMap { overall.environments?[$0] } ?? overall
        let key = record.flag.key
        let archive = "`clutch flags archive \(key)`"
        let stale = lifecycle.stage == .stale
        let nextStep: String
        switch (stale, references) {
        case (true, .some(let places)) where places > 0:
            nextStep = "\(lifecycle.reason ?? "stale"), referenced in \(places == 1 ? "1 place" : "\(places) places"): remove the checks, then \(archive)"
        case (true, .some):
            nextStep = "\(lifecycle.reason ?? "stale"), referenced in no scanned code: \(archive) (or `clutch cleanup --archive`)"
        case (true, .none):
            nextStep = "\(lifecycle.reason ?? "stale"), no code scan uploaded: remove its checks (`clutch refs scan` finds them), then \(archive)"
        case (false, .some(0)):
            nextStep = "\(lifecycle.stage.rawValue) but referenced in no scanned code: if no other code uses it, roll it out and remove it, or \(archive)"
        default:
            return nil
        }
        return CleanupEntry(
            key: key, kind: record.flag.kind, owner: record.flag.owner, stage: lifecycle.stage, reason: lifecycle.reason,
            lastEvaluated: lifecycle.lastEvaluated, references: references, nextStep: nextStep, archivable: stale && (references ?? 0) == 0)
    }
}

/// The data of a `flag.stale` webhook event: the flags that became stale since the last one.
public struct StaleFlagsEvent: Sendable, Hashable, Codable {
    public var flags: [StaleFlag]

    public init(flags: [StaleFlag]) { self.flags = flags }
}
