import ClutchCore
import ClutchStore

// The admin API's records as the CLI reads them (docs/api.md). Fields the CLI does not
// show are left out; optional ones are optional so that older servers still decode.

/// A flag with its revision and timestamps.
struct FlagRecord: Codable, Sendable {
    var flag: Flag
    var revision: Int
    var createdAt: String?
    var updatedAt: String?
    var updatedBy: String?
    var usage: [String: Usage]?

    /// Evaluations seen in one environment.
    struct Usage: Codable, Sendable {
        var lastEvaluated: String?
        var variants: [String: Int]?
    }
}

struct FlagList: Codable, Sendable {
    var flags: [FlagRecord]
}

struct EnvironmentList: Codable, Sendable {
    struct Environment: Codable, Sendable {
        var key: String
        var createdAt: String?
        var snapshotVersion: Int64?
        var streams: Int?
    }
    var environments: [Environment]
}

struct StatusRecord: Codable, Sendable {
    struct Environment: Codable, Sendable {
        var key: String
        var snapshotVersion: Int64?
        var streams: Int?
        var flags: Int?
    }
    var version: String?
    var environments: [Environment]
}

struct KillRecord: Codable, Sendable {
    var flag: FlagRecord
    var environments: [String]
    var notifiedStreams: Int?
}

struct StaleList: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var key: String
        var reason: String
        var lastEvaluated: String?
    }
    var flags: [Entry]
}

struct RevisionRecord: Codable, Sendable {
    var number: Int
    var flagKey: String?
    var createdAt: String?
    var actor: String?
    var message: String?
    var action: String?
    var summary: String?
    var flag: Flag?
}

struct RevisionList: Codable, Sendable {
    var revisions: [RevisionRecord]
}

struct DiffRecord: Codable, Sendable {
    struct Change: Codable, Sendable {
        var path: String
        var before: Value?
        var after: Value?
    }
    var from: Int?
    var to: Int?
    var changes: [Change]
}

struct CohortRecord: Codable, Sendable {
    var cohort: Cohort
    var environment: String?
    var revision: Int?
    var updatedAt: String?
    var updatedBy: String?
}

/// The answer to a membership change: what it added and removed, and the cohort's size after it.
struct MembershipRecord: Codable, Sendable {
    var cohort: String
    var environment: String
    var revision: Int
    var size: Int
    var added: [String]
    var removed: [String]
}

struct CohortList: Codable, Sendable {
    var cohorts: [CohortRecord]
}

struct KeyRecord: Codable, Sendable {
    var id: String
    var name: String?
    var environment: String?
    var createdAt: String?
    var revokedAt: String?
    var key: String?
}

struct KeyList: Codable, Sendable {
    var keys: [KeyRecord]
}

struct AuditList: Codable, Sendable {
    struct Event: Codable, Sendable {
        var id: Value?
        var at: String?
        var actor: String?
        var action: String?
        var entity: String?
        var key: String?
        var environment: String?
        var revision: Int?
        var message: String?
    }
    var events: [Event]
}

struct ExplainRecord: Codable, Sendable {
    struct Match: Codable, Sendable {
        var kind: String
        var index: Int?
        var attribute: String?
        var value: String?
        /// For a `prerequisite` match: the flag required.
        var flag: String?
    }
    var flagKey: String?
    var value: Value?
    var variant: String?
    var reason: String?
    var errorCode: String?
    var errorMessage: String?
    var match: Match?
    var explanation: String?
}

struct ImportRecord: Decodable, Sendable {
    var dryRun: Bool?
    /// The server's own type: each item with the fields that differ.
    var changes: [ImportChange]
    var applied: Bool?
}
