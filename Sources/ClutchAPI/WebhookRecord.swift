import Foundation

/// The kinds of event a webhook can subscribe to.
public enum WebhookEventType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A flag was created, changed, archived, restored or deleted (one per revision).
    case flagChanged = "flag.changed"
    /// A guarded release moved to its next step.
    case releaseStep = "release.step"
    /// A guarded release rolled itself back.
    case releaseRolledBack = "release.rolled_back"
    /// The release guard paused a release: a change by hand, a sample-ratio mismatch, or a
    /// reporter it does not trust (the message names it).
    case releasePaused = "release.paused"
    /// A scheduled change could not be applied.
    case scheduleFailed = "schedule.failed"
    /// Flags became stale (`FlagStage.stale`): sent at most daily, naming each flag once when it
    /// becomes stale, with its owner.
    case flagStale = "flag.stale"
    /// A change request was opened in a protected environment.
    case changeRequestOpened = "change_request.opened"
    /// A change request got the approvals its environment requires.
    case changeRequestApproved = "change_request.approved"
    /// A reviewer declined a change request.
    case changeRequestDeclined = "change_request.declined"
    /// A change request's change was applied.
    case changeRequestApplied = "change_request.applied"
    /// A change request could not be applied (the reason says why).
    case changeRequestFailed = "change_request.failed"
    /// Someone blocked a flag in an environment, or a whole environment (the event's `block`).
    case flagBlocked = "flag.blocked"
    /// A block was lifted (the event's `block`, and who lifted it).
    case flagUnblocked = "flag.unblocked"
}

/// A webhook as the API shows it: never its secret, only the last characters of it.
public struct WebhookRecord: Sendable, Hashable, Codable {
    /// `wh_` + random characters.
    public var id: String
    public var url: String
    public var events: [WebhookEventType]
    /// `…` and the secret's last four characters, to tell secrets apart.
    public var secretHint: String
    public var description: String?
    public var createdAt: Date
    public var createdBy: String
    /// Deliveries not yet delivered and still being retried.
    public var pendingDeliveries: Int

    public init(
        id: String, url: String, events: [WebhookEventType], secretHint: String, description: String?, createdAt: Date,
        createdBy: String, pendingDeliveries: Int
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.secretHint = secretHint
        self.description = description
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.pendingDeliveries = pendingDeliveries
    }
}

/// One delivery of one event to one webhook, with every attempt made.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    /// Where a delivery is: `pending` (being retried), `delivered` (a 2xx answer) or `failed`
    /// (no 2xx answer within the retry window).
    public enum Status: String, Sendable, Hashable, Codable {
        case pending, delivered, failed
    }

    /// One try: the receiver's status code, or the error when there was no answer.
    public struct Attempt: Sendable, Hashable, Codable {
        public var at: Date
        public var statusCode: Int?
        public var error: String?
        public var durationMs: Int

        public init(at: Date, statusCode: Int?, error: String?, durationMs: Int) {
            self.at = at
            self.statusCode = statusCode
            self.error = error
            self.durationMs = durationMs
        }
    }

    public var id: Int64
    public var eventId: String
    public var type: String
    public var status: Status
    public var createdAt: Date
    /// When the next attempt is due (pending deliveries).
    public var nextAttemptAt: Date?
    public var finishedAt: Date?
    public var attempts: [Attempt]

    public init(
        id: Int64, eventId: String, type: String, status: Status, createdAt: Date, nextAttemptAt: Date?, finishedAt: Date?,
        attempts: [Attempt]
    ) {
        self.id = id
        self.eventId = eventId
        self.type = type
        self.status = status
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.finishedAt = finishedAt
        self.attempts = attempts
    }
}
