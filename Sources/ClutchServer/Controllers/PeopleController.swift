import ClutchAPI
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/users`, `/api/v1/tokens` and `/api/v1/me`: people and their roles (owners), tokens
/// (anyone their own; owners service tokens and everyone's), and who the caller is. Every change
/// reloads the credential cache before answering, so that a removal or a lowered role has ended
/// the person's tokens on this replica once the answer arrives (and on the others when they
/// hear of it: ``Rows/notifyCredentials(_:)``).
struct PeopleController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("users", use: listPeople)
        routes.post("users", use: addPerson)
        routes.put("users/:email/role", use: setRole)
        routes.delete("users/:email", use: removePerson)
        routes.get("tokens", use: listTokens)
        routes.post("tokens", use: createToken)
        routes.delete("tokens/:id", use: revokeToken)
        routes.get("me", use: me)
        return routes
    }

    @Sendable func listPeople(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(PersonList(users: try await services.store.people()))
    }

    @Sendable func addPerson(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(PersonCreate.self)
        let (person, secret) = try await services.metrics.timeWrite("add_person") {
            try await services.store.createPerson(body, change: change)
        }
        try await services.refreshCredentials()
        let base = services.publicBase(for: request) ?? ""
        return JSONResponse.encode(PersonCreated(person: person, inviteUrl: "\(base)/ui/invite/\(secret)"), status: .created)
    }

    @Sendable func setRole(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let email = try Self.email(context)
        let body = try await request.decodeJSON(RoleChange.self)
        let person = try await services.metrics.timeWrite("set_role") {
            try await services.store.setRole(email: email, to: body, change: change)
        }
        try await services.refreshCredentials()
        return JSONResponse.encode(person)
    }

    @Sendable func removePerson(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let email = try Self.email(context)
        if let own = context.principal?.person, own.email.lowercased() == email.lowercased() {
            throw APIError.conflict("you cannot remove yourself; ask another owner", field: "email")
        }
        _ = try await services.metrics.timeWrite("remove_person") {
            try await services.store.removePerson(email: email, change: change)
        }
        try await services.refreshCredentials()
        return Response(status: .noContent)
    }

    /// An owner's list holds every token; anyone else's their own person's.
    @Sendable func listTokens(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let tokens: [TokenRecord]
        if Self.mayAdminister(context) {
            tokens = try await services.store.tokens(personID: nil)
        } else if let person = context.principal?.person {
            tokens = try await services.store.tokens(personID: person.id)
        } else {
            tokens = []
        }
        return JSONResponse.encode(TokenList(tokens: tokens))
    }

    /// A service token needs an owner; a personal token is the caller's own, and a token that
    /// makes one cannot give it more than it has itself.
    @Sendable func createToken(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        var body = try await request.decodeJSON(TokenCreate.self)
        var personID: String?
        if body.service == true {
            try context.authorize(.administer)
        } else {
            try context.authorize(.read)
            guard let person = context.principal?.person else {
                throw APIError.badRequest("a personal token belongs to a person: sign in as one, or make a service token (service)", field: "service")
            }
            personID = person.id
            if let caller = context.principal?.token, caller.role != nil || !caller.environments.isEmpty {
                // Made by a narrowed token: at most what that token may.
                body.role = body.role ?? caller.role
                body.environments = body.environments ?? caller.environments
                let asked = AccessGrant(role: body.role ?? person.grant.role, environments: body.environments ?? [])
                let held = AccessGrant(role: caller.role ?? person.grant.role, environments: caller.environments)
                guard held.covers(asked) else {
                    throw APIError.forbidden("\(caller.actor) cannot make a token with more rights than its own")
                }
            }
        }
        let (record, secret) = try await services.metrics.timeWrite("create_token") {
            try await services.store.createToken(body, personID: personID, change: change)
        }
        try await services.refreshCredentials()
        return JSONResponse.encode(TokenCreated(token: secret, record: record), status: .created)
    }

    /// One's own token anyone may revoke; another's needs an owner.
    @Sendable func revokeToken(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let id = try context.parameter("id")
        let (_, owner) = try await services.store.token(id: id)
        if owner == nil || owner != context.principal?.person?.id {
            try context.authorize(.administer)
        }
        let record = try await services.metrics.timeWrite("revoke_token") {
            try await services.store.revokeToken(id: id, change: change)
        }
        try await services.refreshCredentials()
        return JSONResponse.encode(record)
    }

    @Sendable func me(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        guard let principal = context.principal, let subject = principal.subject else {
            throw APIError.unauthorized("a token is required")
        }
        let person = try await principal.person.asyncMap { try await services.store.person(id: $0.id) } ?? nil
        return JSONResponse.encode(Me(actor: subject.name, person: person, token: principal.token, grants: subject.grants))
    }

    private static func mayAdminister(_ context: ClutchRequestContext) -> Bool {
        guard let subject = context.principal?.subject else { return false }
        return AccessPolicy.refusal(.administer, by: subject) == nil
    }

    /// The `:email` path parameter, percent-decoded.
    private static func email(_ context: ClutchRequestContext) throws -> String {
        let raw = try context.parameter("email")
        return raw.removingPercentEncoding ?? raw
    }
}

extension Optional {
    /// The value mapped by an async function, or `nil`.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
