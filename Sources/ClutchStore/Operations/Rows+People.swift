import ClutchCore
import Foundation

extension Rows {
    // MARK: People and tokens

    /// Tokens with the email of their person (`person_email`), filtered by `condition` (text the
    /// store writes), oldest first.
    static func tokenQuery(where condition: SQL) -> SQL {
        """
        SELECT token.*, person.email AS person_email FROM token LEFT JOIN person ON person.id = token.person_id
        WHERE \(condition) ORDER BY token.created_at, token.id
        """
    }

    static func token(_ row: SQLRow) throws -> TokenRecord {
        guard let kind = TokenKind(rawValue: try row.get("kind")) else {
            throw StoreError.badRequest("token '\(try row.get("id", as: String.self))' has an unknown kind")
        }
        return TokenRecord(
            id: try row.get("id"), name: try row.get("name"), kind: kind, person: try row.get("person_email"),
            role: try row.get("role", as: String?.self).flatMap(Role.init(rawValue:)),
            environments: environmentList(try row.get("environments")), createdAt: try row.get("created_at"),
            expiresAt: try row.get("expires_at"), revokedAt: try row.get("revoked_at"))
    }

    /// The token `id`, revoked or not, or `notFound`.
    static func token(_ session: any SQLSession, _ id: String) async throws -> TokenRecord {
        guard let row = try await session.row(tokenQuery(where: "token.id = \(id)")) else {
            throw StoreError.notFound("token '\(id)' does not exist")
        }
        return try token(row)
    }

    /// What a token may: a service token its own grant; a personal token its person's, narrowed
    /// by its own role and environments when it has them.
    static func tokenAccess(_ token: TokenRecord, person: PersonAccess?) -> TokenAccess {
        var grants: [AccessGrant] = []
        if let person { grants.append(person.grant) }
        if token.role != nil || !token.environments.isEmpty {
            grants.append(AccessGrant(role: token.role ?? person?.grant.role ?? .viewer, environments: token.environments))
        }
        return TokenAccess(token: token, person: person, grants: grants)
    }

    static func person(_ row: SQLRow) throws -> Person {
        Person(
            id: try row.get("id"), email: try row.get("email"), name: try row.get("name"),
            role: try role(row), environments: environmentList(try row.get("environments")),
            hasPassword: !row.isNull("password_hash"), createdAt: try row.get("created_at"))
    }

    static func personAccess(_ row: SQLRow) throws -> PersonAccess {
        PersonAccess(
            id: try row.get("id"), email: try row.get("email"), name: try row.get("name"),
            grant: AccessGrant(role: try role(row), environments: environmentList(try row.get("environments"))),
            generation: try row.get("generation"))
    }

    private static func role(_ row: SQLRow) throws -> Role {
        let raw: String = try row.get("role")
        guard let role = Role(rawValue: raw) else { throw StoreError.badRequest("unknown role '\(raw)'") }
        return role
    }

    /// The person with this email (any case) who is not removed, or `notFound`.
    static func personRow(_ session: any SQLSession, email: String) async throws -> SQLRow {
        let key = PeopleRules.emailKey(email)
        guard let row = try await session.row("SELECT * FROM person WHERE email_key = \(key) AND removed_at IS NULL") else {
            throw StoreError.notFound("nobody with the email '\(email)' is a member", field: "email")
        }
        return row
    }

    /// Environments as stored: keys joined by commas (a key never holds one); empty: all.
    /// `flag` as a change from `old` writes it, its owner checked against the people
    /// (``PeopleRules/owner(_:old:member:)``); a refusal names `field`.
    static func checkedOwner(_ session: any SQLSession, _ flag: Flag, old: Flag?, field: String = "owner") async throws -> Flag {
        guard let owner = flag.owner, owner != old?.owner else { return flag }
        let email = try await session.value(
            String.self, "SELECT email FROM person WHERE email_key = \(PeopleRules.emailKey(owner)) AND removed_at IS NULL")
        let checked = PeopleRules.owner(owner, old: old?.owner) { _ in email }
        if let problem = checked.problem { throw StoreError.invalid(ValidationError(path: field, problem)) }
        var flag = flag
        flag.owner = checked.owner
        return flag
    }

    /// The email of every member, by ``PeopleRules/emailKey(_:)``: whom an owner may name.
    static func memberEmails(_ session: any SQLSession) async throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try await session.rows("SELECT email, email_key FROM person WHERE removed_at IS NULL") {
            out[try row.get("email_key")] = try row.get("email")
        }
        return out
    }

    static func environmentText(_ environments: [String]) -> String {
        Array(Set(environments)).sorted().joined(separator: ",")
    }

    static func environmentList(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }

    /// Checks that every environment of a grant exists.
    static func requireEnvironments(_ session: any SQLSession, _ environments: [String]) async throws {
        for environment in environments {
            try await requireEnvironment(session, environment, field: "environments")
        }
    }

    /// Ends what a person opened before now: their personal tokens are revoked, their console
    /// sessions end and their generation grows.
    static func endCredentials(_ session: any SQLSession, personID: String, at now: Date) async throws {
        try await session.execute("UPDATE token SET revoked_at = \(now) WHERE person_id = \(personID) AND revoked_at IS NULL")
        try await session.execute("UPDATE person SET generation = generation + 1 WHERE id = \(personID)")
        try await endConsoleSessions(session, personID: personID)
    }

    /// What `author` may now, as the policy sees it: `nil` when the person was removed or the
    /// token revoked or expired (or its person removed).
    static func subject(_ session: any SQLSession, _ author: ChangeAuthor, now: Date) async throws -> AccessSubject? {
        switch author {
        case .person(let id):
            return try await session.row("SELECT * FROM person WHERE id = \(id) AND removed_at IS NULL").map(personAccess)?.subject
        case .token(let id):
            guard let row = try await session.row(tokenQuery(where: "token.id = \(id) AND token.revoked_at IS NULL")) else { return nil }
            let token = try token(row)
            if let expiresAt = token.expiresAt, expiresAt <= now { return nil }
            guard let personID: String = try row.get("person_id") else { return tokenAccess(token, person: nil).subject }
            guard let person = try await session.row("SELECT * FROM person WHERE id = \(personID) AND removed_at IS NULL").map(personAccess)
            else { return nil }
            return tokenAccess(token, person: person).subject
        }
    }

    /// Refuses (`badRequest`, with the policy's sentence) work that `author`, named `name`, may
    /// no longer do: a scheduled change applies with its author's rights as they are when it applies.
    static func requireRights(_ session: any SQLSession, _ author: ChangeAuthor, named name: String, for action: AccessAction, now: Date) async throws {
        if let refusal = try await refusal(session, author, named: name, for: action, now: now) {
            throw StoreError.badRequest(refusal)
        }
    }

    /// Why `author`, named `name`, may no longer do `action` (the policy's sentence, or that they
    /// were removed, revoked or expired); `nil` when they still may. Work that acts later with
    /// its author's rights (a scheduled change, a release's next step) asks this when it applies.
    static func refusal(_ session: any SQLSession, _ author: ChangeAuthor, named name: String, for action: AccessAction, now: Date) async throws -> String? {
        if let subject = try await subject(session, author, now: now) {
            return AccessPolicy.refusal(action, by: subject)?.message
        }
        // Lowering a person ends their personal tokens: say what the person lacks, when they do.
        if case .token(let id) = author,
           let personID = try await session.value(String.self, "SELECT person_id FROM token WHERE id = \(id)"),
           let person = try await subject(session, .person(id: personID), now: now),
           let refusal = AccessPolicy.refusal(action, by: person) {
            return refusal.message
        }
        return "\(name) can no longer make changes (removed, revoked or expired)"
    }
}
