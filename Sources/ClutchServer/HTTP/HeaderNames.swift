import HTTPTypes

/// The non-standard headers of the API. The names are valid tokens, so construction cannot fail;
/// the fallbacks only keep the code free of force unwraps.
enum HeaderNames {
    static let apiKey = HTTPField.Name("X-API-Key") ?? .authorization
    static let message = HTTPField.Name("X-Clutch-Message") ?? .via
    static let restored = HTTPField.Name("X-Clutch-Restored") ?? .via
    static let lastEventID = HTTPField.Name("Last-Event-ID") ?? .via
}
