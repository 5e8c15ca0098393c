import Foundation

/// One page of audit events, newest first, and where the next page starts.
public struct AuditPage: Sendable, Hashable {
    public var events: [AuditEvent]
    /// The id to pass as `before` for the next (older) page; `nil` on the last page.
    public var nextBefore: Int64?
}

/// One page of a cohort's explicit members, in byte order, and where the next page starts.
public struct MemberPage: Sendable, Hashable {
    public var members: [String]
    /// The member to pass as `after` for the next page; `nil` on the last page.
    public var nextAfter: String?
    /// How many members the cohort has in all.
    public var total: Int
}

/// Which flags a flag list shows, filtered and paged by the database (``ClutchStoring/flagPage(_:)``):
/// the console's list and `GET /api/v1/flags?limit=…`, so that 10,000 flags cost one page.
public struct FlagQuery: Sendable, Hashable {
    /// Flags whose key, description or one of whose tags contains this text, ignoring the case
    /// of ASCII letters; every flag when empty.
    public var search: String
    /// Only flags with this tag (exactly).
    public var tag: String?
    /// Only flags on (`true`) or off (`false`) in ``environment``.
    public var enabled: Bool?
    /// Only flags in this stage, in ``environment`` when given, else overall.
    public var stage: FlagStage?
    /// The environment ``enabled`` and ``stage`` look at.
    public var environment: String?
    /// Archived flags too.
    public var includeArchived: Bool
    /// How many matching flags to skip (in key order), and how many to answer at most (at least 1).
    public var offset: Int
    public var limit: Int

    public init(
        search: String = "", tag: String? = nil, enabled: Bool? = nil, stage: FlagStage? = nil, environment: String? = nil,
        includeArchived: Bool = false, offset: Int = 0, limit: Int = 100
    ) {
        self.search = search
        self.tag = tag
        self.enabled = enabled
        self.stage = stage
        self.environment = environment
        self.includeArchived = includeArchived
        self.offset = offset
        self.limit = limit
    }

    /// The search text as the database compares it: ASCII letters lowered here, as SQL's
    /// `lower` lowers them on both databases (SQLite's lowers nothing else).
    var needle: String {
        String(String.UnicodeScalarView(search.unicodeScalars.map { scalar in
            (65...90).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
        }))
    }
}

/// One page of a flag list, sorted by key, with usage and lifecycle, and how many flags matched.
public struct FlagPage: Sendable, Hashable {
    public var flags: [FlagRecord]
    /// Flags matching the query, on every page.
    public var matched: Int
    /// Flags the list holds before filtering (archived ones only when the query includes them).
    public var total: Int
    /// The offset of the next page; `nil` on the last.
    public var nextOffset: Int?
    /// Every tag of the listed flags, sorted (for a tag filter).
    public var tags: [String]
}
