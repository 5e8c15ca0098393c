import Hummingbird

/// Requires a credential of one kind: an admin token for `/api/v1`, an SDK key for `/sdk` and
/// `/ofrep`. Missing or unknown → 401; the other kind → 403.
struct CredentialMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext

    enum Requirement: Sendable { case admin, sdk }

    let credentials: CredentialCache
    let requirement: Requirement

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.presentedSecret(request) else {
            throw APIError.unauthorized("missing credential: send 'Authorization: Bearer <token>'")
        }
        guard let principal = credentials.principal(forSecret: secret) else {
            throw APIError.unauthorized("unknown or revoked credential")
        }
        switch (requirement, principal) {
        case (.admin, .sdk):
            throw APIError.forbidden("an SDK key cannot use the admin API; use an admin token")
        case (.sdk, .admin):
            throw APIError.forbidden("this route needs an SDK key (it decides the environment); an admin token cannot be used")
        default:
            break
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    /// The secret from `Authorization: Bearer …` or `X-API-Key` (parsed without Foundation: this
    /// runs on every SDK request).
    static func presentedSecret(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let bytes = Array(authorization.utf8)
            guard bytes.count > 7, bytes[6] == UInt8(ascii: " ") else { return nil }
            for (offset, expected) in "bearer".utf8.enumerated() where bytes[offset] | 0x20 != expected {
                return nil
            }
            return trimmed(bytes[7...])
        }
        if let key = request.headers[HeaderNames.apiKey] {
            return trimmed(Array(key.utf8)[...])
        }
        return nil
    }

    /// `bytes` without surrounding spaces and tabs, as a string; `nil` when nothing is left.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String? {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return nil
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

extension ClutchRequestContext {
    /// The admin's name; the credential middleware guarantees one on admin routes.
    func adminName() throws -> String {
        guard case .admin(let name)? = principal else { throw APIError.unauthorized("admin token required") }
        return name
    }

    /// The SDK key's id and environment; the credential middleware guarantees one on SDK routes.
    func sdkKey() throws -> (id: String, environment: String) {
        guard case .sdk(let id, let environment)? = principal else { throw APIError.unauthorized("SDK key required") }
        return (id, environment)
    }
}
