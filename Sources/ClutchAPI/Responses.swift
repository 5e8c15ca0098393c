import ClutchCore
import Foundation

// The admin API's answers (`/api/v1`, docs/openapi.json): the server encodes these and the CLI
// decodes these, so a field exists in one place. The records themselves (``FlagRecord``,
// ``Revision``, ``ScheduleRecord``, …) are what the store returns; the types here wrap them
// as the endpoints answer. `WireModelTests` decodes the server's real answer of every endpoint
// the CLI reads with these types and encodes it again: a field the server adds, drops or
// renames without them fails there.

/// `GET /api/v1/flags`.
public struct FlagList: Sendable, Hashable, Codable {
    public var flags: [FlagRecord]
    /// With paging (`limit`, `offset` or `q`): how many flags match on every page, and the
    /// `offset` of the next page (absent on the last); absent from an unpaged list.
    public var matched: Int?
    public var nextOffset: Int?
    public init(flags: [FlagRecord], matched: Int? = nil, nextOffset: Int? = nil) {
        self.flags = flags
        self.matched = matched
        self.nextOffset = nextOffset
    }
}

/// `GET /api/v1/environments/{env}/cohorts`.
public struct CohortList: Sendable, Hashable, Codable {
    public var cohorts: [CohortRecord]
    public init(cohorts: [CohortRecord]) { self.cohorts = cohorts }
}

/// An environment as `/api/v1/environments` shows it: with the live snapshot's version and the
/// streams open on it (OpenAPI `Environment`).
public struct EnvironmentInfo: Sendable, Hashable, Codable {
    public var key: String
    public var createdAt: Date
    public var snapshotVersion: Int64
    public var streams: Int
    /// How widening changes are reviewed here (``EnvironmentProtection``); absent: unprotected.
    public var protection: EnvironmentProtection?

    public init(key: String, createdAt: Date, snapshotVersion: Int64, streams: Int, protection: EnvironmentProtection? = nil) {
        self.key = key
        self.createdAt = createdAt
        self.snapshotVersion = snapshotVersion
        self.streams = streams
        self.protection = protection
    }
}

/// `GET /api/v1/environments`.
public struct EnvironmentList: Sendable, Hashable, Codable {
    public var environments: [EnvironmentInfo]
    public init(environments: [EnvironmentInfo]) { self.environments = environments }
}

/// One environment in `GET /api/v1/status`.
public struct EnvironmentStatus: Sendable, Hashable, Codable {
    public var key: String
    public var snapshotVersion: Int64
    public var streams: Int
    public var flags: Int

    public init(key: String, snapshotVersion: Int64, streams: Int, flags: Int) {
        self.key = key
        self.snapshotVersion = snapshotVersion
        self.streams = streams
        self.flags = flags
    }
}

/// `GET /api/v1/status` (OpenAPI `Status`).
public struct ServerStatus: Sendable, Hashable, Codable {
    /// The server's version.
    public var version: String
    public var environments: [EnvironmentStatus]

    public init(version: String, environments: [EnvironmentStatus]) {
        self.version = version
        self.environments = environments
    }
}

/// `POST /api/v1/flags/{key}/kill`: the flag after the kill, the environments it turned off and
/// how many streams heard of it.
public struct KillResult: Sendable, Hashable, Codable {
    public var flag: FlagRecord
    public var environments: [String]
    public var notifiedStreams: Int

    public init(flag: FlagRecord, environments: [String], notifiedStreams: Int) {
        self.flag = flag
        self.environments = environments
        self.notifiedStreams = notifiedStreams
    }
}

/// `GET /api/v1/flags/stale`.
public struct StaleFlagList: Sendable, Hashable, Codable {
    public var flags: [StaleFlag]
    public init(flags: [StaleFlag]) { self.flags = flags }
}

/// `GET /api/v1/flags/{key}/revisions`, newest first.
public struct RevisionList: Sendable, Hashable, Codable {
    public var revisions: [Revision]
    public init(revisions: [Revision]) { self.revisions = revisions }
}

/// `GET /api/v1/flags/{key}/diff`: ``FlagDiff`` between two revisions (OpenAPI `Diff`).
public struct RevisionDiff: Sendable, Hashable, Codable {
    public var from: Int64
    public var to: Int64
    public var changes: [FieldChange]

    public init(from: Int64, to: Int64, changes: [FieldChange]) {
        self.from = from
        self.to = to
        self.changes = changes
    }
}

/// `POST /api/v1/flags/{key}/environments/{env}/changes?dryRun=true`: the record as it would be,
/// and what would change.
public struct ChangesDryRun: Sendable, Hashable, Codable {
    public var dryRun = true
    public var record: FlagRecord
    public var diff: [FieldChange]

    public init(record: FlagRecord, diff: [FieldChange]) {
        self.record = record
        self.diff = diff
    }
}

/// `GET /api/v1/keys`.
public struct SDKKeyList: Sendable, Hashable, Codable {
    public var keys: [SDKKeyRecord]
    public init(keys: [SDKKeyRecord]) { self.keys = keys }
}

/// `POST /api/v1/environments/{env}/keys`: the new key, the only time its secret is shown.
public struct SDKKeyCreated: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var environment: String
    public var kind: SDKKeyKind
    public var createdAt: Date
    /// The secret.
    public var key: String

    public init(id: String, name: String, environment: String, kind: SDKKeyKind, createdAt: Date, key: String) {
        self.id = id
        self.name = name
        self.environment = environment
        self.kind = kind
        self.createdAt = createdAt
        self.key = key
    }
}

/// `GET /api/v1/audit`.
public struct AuditEventList: Sendable, Hashable, Codable {
    public var events: [AuditEvent]
    public init(events: [AuditEvent]) { self.events = events }
}

/// `POST /api/v1/import` (OpenAPI `ImportResult`).
public struct ImportAnswer: Sendable, Hashable, Codable {
    public var dryRun: Bool
    public var changes: [ImportChange]
    /// Whether the import was written (`false` for a dry run).
    public var applied: Bool
    /// What a foreign document holds that Clutch cannot express (a dry run lists them; an import
    /// with any is refused). Omitted when empty, so a Clutch document's answer is unchanged.
    public var unmapped: [ConversionIssue]
    /// What carries over with a caveat, per flag (a rollout keeps its proportions, not its users).
    public var notes: [ConversionIssue]

    /// Attributes the imported flags start to use that no context of the environment has carried
    /// (``AttributeWarnings``), once per name and environment; omitted when empty.
    public var warnings: [AttributeWarning]

    public init(
        dryRun: Bool, changes: [ImportChange], applied: Bool, unmapped: [ConversionIssue] = [], notes: [ConversionIssue] = [],
        warnings: [AttributeWarning] = []
    ) {
        self.dryRun = dryRun
        self.changes = changes
        self.applied = applied
        self.unmapped = unmapped
        self.notes = notes
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey { case dryRun, changes, applied, unmapped, notes, warnings }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            dryRun: try c.decode(Bool.self, forKey: .dryRun),
            changes: try c.decode([ImportChange].self, forKey: .changes),
            applied: try c.decode(Bool.self, forKey: .applied),
            unmapped: try c.decodeIfPresent([ConversionIssue].self, forKey: .unmapped) ?? [],
            notes: try c.decodeIfPresent([ConversionIssue].self, forKey: .notes) ?? [],
            warnings: try c.decodeIfPresent([AttributeWarning].self, forKey: .warnings) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(changes, forKey: .changes)
        try c.encode(applied, forKey: .applied)
        if !unmapped.isEmpty { try c.encode(unmapped, forKey: .unmapped) }
        if !notes.isEmpty { try c.encode(notes, forKey: .notes) }
        if !warnings.isEmpty { try c.encode(warnings, forKey: .warnings) }
    }
}

/// `GET /api/v1/schedules`.
public struct ScheduleList: Sendable, Hashable, Codable {
    public var schedules: [ScheduleRecord]
    public init(schedules: [ScheduleRecord]) { self.schedules = schedules }
}

/// `GET /api/v1/webhooks`.
public struct WebhookList: Sendable, Hashable, Codable {
    public var webhooks: [WebhookRecord]
    public init(webhooks: [WebhookRecord]) { self.webhooks = webhooks }
}

/// `GET /api/v1/webhooks/{id}/deliveries`.
public struct WebhookDeliveryList: Sendable, Hashable, Codable {
    public var deliveries: [WebhookDelivery]
    public init(deliveries: [WebhookDelivery]) { self.deliveries = deliveries }
}

/// The one error shape outside OFREP: `{"error": {"code": …, "message": …, "field": …}}`, with
/// `field` naming the field at fault when there is one.
public struct ErrorBody: Sendable, Hashable, Codable {
    public struct Detail: Sendable, Hashable, Codable {
        /// `bad_request`, `validation_failed`, `not_found`, `conflict`, …
        public var code: String
        public var message: String
        public var field: String?
    }

    public var error: Detail

    public init(code: String, message: String, field: String? = nil) {
        error = Detail(code: code, message: message, field: field)
    }
}
