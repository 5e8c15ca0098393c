import ClutchCore
import Foundation

/// The rules a webhook must follow, in one place.
enum WebhookRules {
    static func checkURL(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw StoreError.invalid(ValidationError(path: "url", "must be an absolute http:// or https:// URL, got '\(text)'"))
        }
        guard text.utf8.count <= 2048 else { throw StoreError.invalid(ValidationError(path: "url", "must be at most 2048 bytes")) }
    }

    static func events(_ names: [String]?) throws -> [WebhookEventType] {
        guard let names else { return WebhookEventType.allCases }
        guard !names.isEmpty else {
            throw StoreError.invalid(ValidationError(path: "events", "name at least one event type (or leave it out for all)"))
        }
        var events: [WebhookEventType] = []
        for (index, name) in names.enumerated() {
            guard let type = WebhookEventType(rawValue: name) else {
                let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw StoreError.invalid(ValidationError(path: "events[\(index)]", "unknown event type '\(name)'; one of \(known)"))
            }
            if !events.contains(type) { events.append(type) }
        }
        return events
    }

    static func checkSecret(_ secret: String) throws {
        guard (16...256).contains(secret.count), !secret.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError.invalid(ValidationError(path: "secret", "must be 16 to 256 characters without spaces"))
        }
    }

    /// `…` and the last four characters: enough to tell two secrets apart, too little to sign.
    static func hint(_ secret: String) -> String { "…" + secret.suffix(4) }
}
