import ClutchAPI
import HTTPTypes
import Hummingbird

/// Requires a credential of one kind: an admin token for `/api/v1`, an SDK key for `/sdk` and
/// `/ofrep`. Missing or unknown → 401; the other kind → 403. On a shared database an unknown
/// credential is looked up in the store before it is refused (``CredentialLookup``).
struct CredentialMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext

    enum Requirement: Sendable { case admin, sdk }

    let credentials: CredentialLookup
    let requirement: Requirement

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try await Self.authenticate(request, credentials: credentials, requirement: requirement)
        return try await next(request, context)
    }

    /// The principal of the request's credential if it is of the required kind; otherwise the
    /// 401/403 error. Shared with the OFREP fast path, which runs without this middleware.
    static func authenticate(_ request: Request, credentials: CredentialLookup, requirement: Requirement) async throws(APIError) -> Principal {
        guard let digest = presentedDigest(request) else {
            throw APIError.unauthorized("missing credential: send 'Authorization: Bearer <token>'")
        }
        guard let principal = await credentials.principal(for: digest) else {
            throw APIError.unauthorized("unknown or revoked credential")
        }
        switch (requirement, principal) {
        case (.admin, .sdk(_, _, let kind)):
            throw APIError.forbidden("this is an SDK key (a \(kind.rawValue) key): it cannot use the admin API; use an admin token")
        case (.sdk, .admin):
            throw APIError.forbidden("this route needs an SDK key (it decides the environment); an admin token cannot be used")
        default:
            return principal
        }
    }

    /// The SHA-256 digest of the presented secret, hashed straight from the header's bytes (this
    /// runs on every SDK request, so no intermediate array or string).
    static func presentedDigest(_ request: Request) -> CredentialCache.Digest? {
        withPresentedSecret(request) { CredentialCache.Digest(secretBytes: $0) }
    }

    /// Calls `body` with the secret's UTF-8 bytes from `Authorization: Bearer …` (scheme matched
    /// case-insensitively) or `X-API-Key`, without surrounding spaces and tabs; `nil` when there is
    /// no credential or it is empty.
    private static func withPresentedSecret<T>(_ request: Request, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        if var authorization = Self.value(of: .authorization, in: request.headers) {
            return authorization.withUTF8 { bytes -> T? in
                guard bytes.count > 7, bytes[6] == UInt8(ascii: " ") else { return nil }
                for (offset, expected) in "bearer".utf8.enumerated() where bytes[offset] | 0x20 != expected {
                    return nil
                }
                return trimmed(UnsafeBufferPointer(rebasing: bytes[7...]), body)
            }
        }
        if var key = Self.value(of: HeaderNames.apiKey, in: request.headers) {
            return key.withUTF8 { trimmed($0, body) }
        }
        return nil
    }

    /// The field's value, as `headers[name]` gives it, without the cost of that subscript in the
    /// usual case of one field: it joins every value into a new string. A repeated field still
    /// gets the joined value, so two credentials never pass as one.
    private static func value(of name: HTTPField.Name, in headers: HTTPFields) -> String? {
        var found: String?
        for field in headers where field.name == name {
            if found != nil { return headers[name] }
            found = field.value
        }
        return found
    }

    /// `body` applied to `bytes` without surrounding spaces and tabs; `nil` when nothing is left.
    private static func trimmed<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return nil
        }
        return body(UnsafeBufferPointer(rebasing: bytes[first...last]))
    }
}

extension ClutchRequestContext {
    /// The admin's name; the credential middleware guarantees one on admin routes.
    func adminName() throws -> String {
        guard case .admin(let name)? = principal else { throw APIError.unauthorized("admin token required") }
        return name
    }

    /// The SDK key's id and environment; the credential middleware guarantees one on SDK routes.
    /// `only` refuses the other kind of key with 403, naming the kind presented.
    func sdkKey(only: SDKKeyKind? = nil) throws -> (id: String, environment: String) {
        guard case .sdk(let id, let environment, let kind)? = principal else { throw APIError.unauthorized("SDK key required") }
        if let only { try Self.require(only, presented: kind) }
        return (id, environment)
    }

    /// The SDK key's kind; the credential middleware guarantees a key on SDK routes.
    func sdkKeyKind() throws -> SDKKeyKind {
        guard case .sdk(_, _, let kind)? = principal else { throw APIError.unauthorized("SDK key required") }
        return kind
    }

    /// Refuses a key of another kind than `required` (403 naming both): a public client key never
    /// reaches what shows the environment's definition, and a secret server key is not taken
    /// where it would have to ship inside an app.
    static func require(_ required: SDKKeyKind, presented: SDKKeyKind) throws(APIError) {
        guard presented != required else { return }
        switch presented {
        case .client:
            throw APIError.forbidden(
                "this is a client key: it reads answers for one context at a time (OFREP, /sdk/v1/client/stream), "
                    + "never the environment's definition; this route takes a server key")
        case .server:
            throw APIError.forbidden(
                "this is a server key, a secret that must not ship inside apps: this route takes a client key "
                    + "(clutch keys create --kind client)")
        }
    }
}
