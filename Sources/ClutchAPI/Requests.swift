import ClutchCore

// The admin API's request bodies the CLI sends and the server decodes (docs/openapi.json).
// Each names its fields in `CodingKeys`: the server refuses any other top-level field, so a
// misspelled one is an error naming it rather than a silently ignored default. A `nil`
// optional is left out of what the CLI sends.

/// `POST /api/v1/flags/{key}/environments/{env}/changes`: instructions applied in order to the
/// flag's state as it is then, as one revision.
public struct FlagChanges: Sendable, Hashable, Codable {
    public var instructions: [Instruction]
    /// The change's message (the `X-Clutch-Message` header is the other way to give it).
    public var message: String?

    public init(instructions: [Instruction], message: String? = nil) {
        self.instructions = instructions
        self.message = message
    }

    public enum CodingKeys: String, CodingKey { case instructions, message }
}

/// `POST /api/v1/environments/{env}/cohorts/{key}/changes`: `addMembers` / `removeMembers`, the
/// same shape as a flag's changes (OpenAPI `CohortMembersChange`).
public struct CohortChanges: Sendable, Hashable, Codable {
    public var instructions: [MemberInstruction]
    public var message: String?

    public init(instructions: [MemberInstruction], message: String? = nil) {
        self.instructions = instructions
        self.message = message
    }

    public enum CodingKeys: String, CodingKey { case instructions, message }
}

/// `POST /api/v1/flags/{key}/kill` (an empty body kills it everywhere).
public struct KillRequest: Sendable, Hashable, Codable {
    /// `nil`: every environment.
    public var environments: [String]?

    public init(environments: [String]?) { self.environments = environments }

    public enum CodingKeys: String, CodingKey { case environments }
}

/// `POST /api/v1/flags/{key}/rollback`.
public struct RollbackRequest: Sendable, Hashable, Codable {
    /// The revision to restore; `nil`: the one before the latest.
    public var revision: Int64?
    /// Restore this environment's state only; `nil`: the whole flag.
    public var environment: String?

    public init(revision: Int64?, environment: String?) {
        self.revision = revision
        self.environment = environment
    }

    public enum CodingKeys: String, CodingKey { case revision, environment }
}

/// `POST /api/v1/environments/{env}/keys` (OpenAPI `SDKKeyCreate`).
public struct SDKKeyCreate: Sendable, Hashable, Codable {
    public var name: String
    /// `server` when left out: what every key was before client keys existed.
    public var kind: SDKKeyKind?

    public init(name: String, kind: SDKKeyKind? = nil) {
        self.name = name
        self.kind = kind
    }

    public enum CodingKeys: String, CodingKey { case name, kind }
}

/// `POST /api/v1/environments/{env}/explain`.
public struct ExplainRequest: Sendable, Hashable, Codable {
    public var flag: String
    public var context: [String: Value]?

    public init(flag: String, context: [String: Value]?) {
        self.flag = flag
        self.context = context
    }

    public enum CodingKeys: String, CodingKey { case flag, context }
}

/// `POST /api/v1/webhooks`.
public struct WebhookCreate: Sendable, Hashable, Codable {
    public var url: String
    /// Event types (``WebhookEventType`` raw values); `nil`: all of them.
    public var events: [String]?
    public var secret: String
    public var description: String?

    public init(url: String, events: [String]?, secret: String, description: String?) {
        self.url = url
        self.events = events
        self.secret = secret
        self.description = description
    }

    public enum CodingKeys: String, CodingKey { case url, events, secret, description }
}

/// `POST /api/v1/schedules`: a flag's (`flag`) or a cohort's (`cohort`) instructions, applied at `at`.
public struct ScheduleCreate: Sendable, Hashable, Codable {
    public var flag: String?
    public var cohort: String?
    public var environment: String
    /// Flag or member instructions, as the key's kind says (the server decodes them as such).
    public var instructions: [Value]
    /// RFC 3339.
    public var at: String
    public var message: String?

    public init(flag: String?, cohort: String?, environment: String, instructions: [Value], at: String, message: String?) {
        self.flag = flag
        self.cohort = cohort
        self.environment = environment
        self.instructions = instructions
        self.at = at
        self.message = message
    }

    public enum CodingKeys: String, CodingKey { case flag, cohort, environment, instructions, at, message }
}

/// `POST /api/v1/flags/{key}/environments/{env}/release`: every field has a default.
public struct ReleaseStartRequest: Sendable, Hashable, Codable {
    public var variant: String?
    public var bucketBy: String?
    public var steps: [Double]?
    public var stepDuration: Double?
    public var minSamples: Int64?
    public var maxErrorRatio: Double?
    /// Start from this percentage instead of the exposure the flag already gives the variant.
    public var restartFrom: Double?
    public var message: String?

    public init(
        variant: String? = nil, bucketBy: String? = nil, steps: [Double]? = nil, stepDuration: Double? = nil,
        minSamples: Int64? = nil, maxErrorRatio: Double? = nil, restartFrom: Double? = nil, message: String? = nil
    ) {
        self.variant = variant
        self.bucketBy = bucketBy
        self.steps = steps
        self.stepDuration = stepDuration
        self.minSamples = minSamples
        self.maxErrorRatio = maxErrorRatio
        self.restartFrom = restartFrom
        self.message = message
    }

    public enum CodingKeys: String, CodingKey {
        case variant, bucketBy, steps, stepDuration, minSamples, maxErrorRatio, restartFrom, message
    }
}

/// `POST …/release/abort`.
public struct ReleaseAbortRequest: Sendable, Hashable, Codable {
    /// `0`: the variant to 0 % instead of back to the state before the release.
    public var to: Double?
    public var message: String?

    public init(to: Double? = nil, message: String? = nil) {
        self.to = to
        self.message = message
    }

    public enum CodingKeys: String, CodingKey { case to, message }
}
