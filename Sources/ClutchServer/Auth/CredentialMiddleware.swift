import Foundation
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

    /// The secret from `Authorization: Bearer …` or `X-API-Key`.
    static func presentedSecret(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty ? nil : token
            }
            return nil
        }
        if let key = request.headers[HeaderNames.apiKey] {
            let token = key.trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        return nil
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
