import ClutchCore
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
}

/// A new webhook as a client asks for it.
public struct WebhookRequest: Sendable, Hashable {
    public var url: String
    /// `nil`: every event type.
    public var events: [String]?
    public var secret: String
    public var description: String?

    public init(url: String, events: [String]?, secret: String, description: String?) {
        self.url = url
        self.events = events
        self.secret = secret
        self.description = description
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
}

/// A delivery due now, with what the dispatcher needs to send and sign it. The secret is
/// redacted from `description`, so a log line can never print it.
public struct PendingDelivery: Sendable, Hashable, CustomStringConvertible {
    public var id: Int64
    public var webhook: String
    public var url: String
    public var secret: String
    public var eventId: String
    public var type: String
    /// The event as JSON, byte for byte what every attempt sends.
    public var body: String
    public var attempts: Int
    public var createdAt: Date

    public var description: String { "delivery \(id) of \(eventId) (\(type)) to webhook \(webhook)" }
}

/// What an attempt decided.
public enum DeliveryResult: Sendable, Hashable {
    case delivered
    /// Try again at the given time.
    case retry(at: Date)
    /// Give up: the retry window has passed.
    case failed
}

/// Webhook URLs as logs, lists and records show them. A receiver's URL may carry a credential
/// (`https://user:pass@host/…`, `?token=…`), and whoever reads a log or the webhook list should
/// not get it; the full URL is kept only to send to.
public enum WebhookURL {
    /// `url` without its credentials: the user and password become `***`, and so does every
    /// query value (the names stay, to tell parameters apart) and the fragment:
    /// `https://***@hooks.example.com/in?token=***` (a bare `?abc123` becomes `?***`). A URL that
    /// does not parse is not shown at all.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparsable URL)" }
        if components.percentEncodedUser != nil || components.percentEncodedPassword != nil {
            components.percentEncodedPassword = nil
            components.percentEncodedUser = "***"
        }
        if let query = components.percentEncodedQuery, !query.isEmpty {
            components.percentEncodedQuery = query.split(separator: "&", omittingEmptySubsequences: false).map { item in
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else { return "***" }
                return item[..<equals] + "=***"
            }.joined(separator: "&")
        }
        if components.percentEncodedFragment != nil { components.percentEncodedFragment = "***" }
        return components.string ?? "(unparsable URL)"
    }
}
