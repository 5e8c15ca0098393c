import ClutchCore
import Foundation

/// A new webhook as a client asks for it: the API's request, as the server decoded it.
public typealias WebhookRequest = WebhookCreate

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
