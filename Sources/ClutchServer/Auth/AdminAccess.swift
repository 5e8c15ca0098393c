import ClutchAPI
import Hummingbird

/// What each admin route asks the policy (``AccessPolicy``): one table, keyed by the route as
/// the router names it (`GET /api/v1/flags/{key}`), so that a route without an entry is refused
/// (and a test proves every registered admin route has one).
public enum AdminAccess {
    /// A route's path parameter by name (throws when the route has none of that name).
    public typealias Parameter = (String) throws -> String

    /// How a route is judged.
    enum Rule: Sendable {
        /// By the route and its path parameters alone, before the handler runs.
        case action(@Sendable (Parameter) throws -> AccessAction)
        /// By the handler, once it has read what the body asks (``ClutchRequestContext/authorize(_:)``):
        /// a change that only turns a flag off is a responder's, any other an editor's; a
        /// rollback or schedule names its environment in the body; a token is one's own or not.
        case inHandler
    }

    private static let read = Rule.action { _ in .read }
    private static let administer = Rule.action { _ in .administer }
    private static let editFlags = Rule.action { _ in .edit(environment: nil) }
    private static let editHere = Rule.action { .edit(environment: try $0("env")) }
    private static let respondHere = Rule.action { .respond(environment: try $0("env")) }
    private static let respondEverywhere = Rule.action { _ in .respond(environment: nil) }
    private static let block = Rule.action { _ in .block }

    /// Every admin route, relative to `/api/v1/`.
    static let table: [String: Rule] = [
        "GET flags": read,
        "POST flags": editFlags,
        "GET flags/stale": read,
        "GET flags/{key}": read,
        "GET flags/{key}/usage": read,
        "PUT flags/{key}": editFlags,
        "DELETE flags/{key}": editFlags,
        "POST flags/{key}/restore": editFlags,
        "POST flags/{key}/archive": editFlags,
        "POST flags/{key}/unarchive": editFlags,
        "PUT flags/{key}/environments/{env}": editHere,
        "POST flags/{key}/environments/{env}/on": editHere,
        "POST flags/{key}/environments/{env}/off": respondHere,
        "POST flags/{key}/kill": respondEverywhere,
        "POST flags/{key}/environments/{env}/changes": .inHandler,
        "GET flags/{key}/revisions": read,
        "GET flags/{key}/revisions/{number}": read,
        "GET flags/{key}/diff": read,
        "POST flags/{key}/rollback": .inHandler,
        "POST flags/{key}/environments/{env}/release": editHere,
        "GET flags/{key}/environments/{env}/release": read,
        "POST flags/{key}/environments/{env}/release/pause": respondHere,
        "POST flags/{key}/environments/{env}/release/resume": editHere,
        "POST flags/{key}/environments/{env}/release/abort": respondHere,
        "GET environments/{env}/cohorts": read,
        "POST environments/{env}/cohorts": editHere,
        "GET environments/{env}/cohorts/{key}": read,
        "PUT environments/{env}/cohorts/{key}": editHere,
        "DELETE environments/{env}/cohorts/{key}": editHere,
        "POST environments/{env}/cohorts/{key}/members": editHere,
        "POST environments/{env}/cohorts/{key}/changes": editHere,
        "GET environments": read,
        "POST environments": administer,
        "POST environments/{env}/keys": administer,
        "GET keys": administer,
        "DELETE keys/{id}": administer,
        "POST environments/{env}/explain": read,
        "GET audit": read,
        "GET status": read,
        "GET export": read,
        "POST import": editFlags,
        "POST schedules": .inHandler,
        "GET schedules": read,
        "GET schedules/{scheduleId}": read,
        "DELETE schedules/{scheduleId}": .inHandler,
        "POST webhooks": administer,
        "GET webhooks": administer,
        "DELETE webhooks/{webhookId}": administer,
        "GET webhooks/{webhookId}/deliveries": administer,
        "GET users": administer,
        "POST users": administer,
        "PUT users/{email}/role": administer,
        "DELETE users/{email}": administer,
        "GET tokens": read,
        "POST tokens": .inHandler,
        "DELETE tokens/{id}": .inHandler,
        "GET me": read,
        "GET cleanup": read,
        // A code scan changes no flag, but says what the code still checks, which `cleanup
        // --archive` acts on: uploaded by whoever may change flags (a CI token with editor).
        "POST code-refs": editFlags,
        "GET code-refs": read,
        "GET flags/{key}/code-refs": read,
        "GET export/flagd": read,
        "GET environments/{env}/attributes": read,
        "GET environments/{env}": read,
        "PATCH environments/{env}": administer,
        // Each judged by the request's environment, once it is read: open, edit, approve,
        // decline, apply and cancel need editor rights there; a comment, reading.
        "POST change-requests": .inHandler,
        "GET change-requests": read,
        "GET change-requests/{requestId}": read,
        "PATCH change-requests/{requestId}": .inHandler,
        "POST change-requests/{requestId}/reviews": .inHandler,
        "POST change-requests/{requestId}/apply": .inHandler,
        "POST change-requests/{requestId}/cancel": .inHandler,
        // Anyone may block; lifting a block is its blocker's or an owner's (the store checks).
        "POST blocks": block,
        "GET blocks": read,
        "DELETE blocks/{id}": block,
    ]

    /// The table's key of a route: `GET flags/{key}` for `GET /api/v1/flags/{key}`.
    static func key(method: String, path: String) -> String? {
        let prefix = "/" + AdminAPI.path + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return "\(method) \(path.dropFirst(prefix.count))"
    }

    /// The rule of a route, `nil` when the table has none.
    static func rule(method: String, path: String) -> Rule? {
        key(method: method, path: path).flatMap { table[$0] }
    }

    /// What the table says before the handler runs: `nil` when `subject` may call the route (or
    /// its handler decides), the refusal otherwise; an unmapped route is refused. `path` is the
    /// route as the router names it (`/api/v1/flags/{key}`).
    public static func refusal(method: String, path: String, parameter: Parameter, subject: AccessSubject) throws -> AccessRefusal? {
        guard let rule = rule(method: method, path: path) else {
            return AccessRefusal(message: "this route has no entry in the access table")
        }
        guard case .action(let action) = rule else { return nil }
        return AccessPolicy.refusal(try action(parameter), by: subject)
    }
}

/// Asks the policy before every admin route, as ``AdminAccess/table`` says; an unmapped route is
/// refused, never served. Runs after ``CredentialMiddleware``, so the caller is known.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let subject = context.principal?.subject else { throw APIError.unauthorized("a token is required") }
        let refusal = try AdminAccess.refusal(
            method: request.method.rawValue, path: context.endpointPath ?? "", parameter: { try context.parameter($0) }, subject: subject)
        if let refusal { throw APIError.forbidden(refusal.message) }
        return try await next(request, context)
    }
}

extension ClutchRequestContext {
    /// Throws 403 `forbidden` with the policy's sentence unless the caller may do `action`.
    func authorize(_ action: AccessAction) throws {
        guard let subject = principal?.subject else { throw APIError.unauthorized("a token is required") }
        if let refusal = AccessPolicy.refusal(action, by: subject) {
            throw APIError.forbidden(refusal.message)
        }
    }
}
