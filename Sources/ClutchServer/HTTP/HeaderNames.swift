import ClutchProtocol
import HTTPTypes

/// The non-standard headers of the API. The names are valid tokens, so construction cannot fail;
/// the fallbacks only keep the code free of force unwraps.
enum HeaderNames {
    static let apiKey = HTTPField.Name("X-API-Key") ?? .authorization
    static let message = HTTPField.Name("X-Clutch-Message") ?? .via
    static let restored = HTTPField.Name("X-Clutch-Restored") ?? .via
    // The web console's headers (Console/).
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy") ?? .via
    static let frameOptions = HTTPField.Name("X-Frame-Options") ?? .via
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options") ?? .via
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .via
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site") ?? .via
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .via
    static let lastEventID = HTTPField.Name("Last-Event-ID") ?? .via
    /// The usage cadence hint of the snapshot download (`ClutchProtocol.UsageCadence.header`).
    static let reportEvery = HTTPField.Name(UsageCadence.header) ?? .via
}
