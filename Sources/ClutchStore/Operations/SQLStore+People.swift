import ClutchCore
import Foundation

/// People, their invites and passwords, and tokens. Secrets (invites, tokens) are random,
/// returned once and stored only as their SHA-256; passwords only as scrypt (``PasswordHash``).
/// Anything that changes who may do what tells the other replicas to reload the credentials
/// (``Rows/notifyCredentials(_:)``), and lowering someone's rights or removing them ends their
/// personal tokens and sessions in the same transaction (``Rows/endCredentials(_:personID:at:)``).
extension SQLStore {
    // MARK: People

    /// Adds a person with a role and an invite (single use, valid 7 days): its secret is
    /// returned here only. An email is unique among people, whatever its case.
    public func createPerson(_ request: PersonCreate, change: ChangeInfo) async throws -> (Person, inviteSecret: String) {
        let email = try PeopleRules.checkedEmail(request.email)
        let name = try request.name.map { try PeopleRules.checkedName($0, field: "name") }
        let environments = request.environments ?? []
        let id = "u_" + Secrets.randomHex(bytes: 8)
        let secret = Secrets.randomHex(bytes: 32)
        let now = self.now()
        let person = try await write { session -> Person in
            try await Rows.requireEnvironments(session, environments)
            if try await session.exists("SELECT 1 FROM person WHERE email_key = \(PeopleRules.emailKey(email)) AND removed_at IS NULL") {
                throw StoreError.conflict("\(email) is a member already", field: "email")
            }
            try await session.execute(
                """
                INSERT INTO person (id, email, email_key, name, role, environments, created_at)
                VALUES (\(id), \(email), \(PeopleRules.emailKey(email)), \(name), \(request.role.rawValue),
                        \(Rows.environmentText(environments)), \(now))
                """)
            try await Self.insertInvite(session, personID: id, secret: secret, at: now)
            try await Rows.audit(
                session, at: now, change: Self.described(change, "added as \(request.role.rawValue)", environments),
                action: "create", entity: "person", key: email, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            return try Rows.person(try await Rows.personRow(session, email: email))
        }
        logger.info("person added", metadata: ["id": "\(id)", "role": "\(request.role.rawValue)", "actor": "\(change.actor)"])
        return (person, secret)
    }

    /// A new invite for a person (the old ones stop working): its secret is returned here only.
    public func createInvite(email: String, change: ChangeInfo) async throws -> String {
        let secret = Secrets.randomHex(bytes: 32)
        let now = self.now()
        try await write { session in
            let row = try await Rows.personRow(session, email: email)
            let id: String = try row.get("id")
            try await session.execute("UPDATE invite SET used_at = \(now) WHERE person_id = \(id) AND used_at IS NULL")
            try await Self.insertInvite(session, personID: id, secret: secret, at: now)
            try await Rows.audit(
                session, at: now, change: change, action: "invite", entity: "person", key: try row.get("email"), environment: nil, revision: nil)
        }
        return secret
    }

    /// Everyone who is a member (not removed), oldest first.
    public func people() async throws -> [Person] {
        try await read { session in
            try await session.rows(
                "SELECT * FROM person WHERE removed_at IS NULL ORDER BY created_at, id\(raw: session.dialect.byteOrder)"
            ).map(Rows.person)
        }
    }

    /// The member with this email (any case), or `notFound`.
    public func person(email: String) async throws -> Person {
        try await read { session in try Rows.person(try await Rows.personRow(session, email: email)) }
    }

    /// The member with this id, or `nil` when there is none or they were removed.
    public func person(id: String) async throws -> Person? {
        try await read { session in
            try await session.row("SELECT * FROM person WHERE id = \(id) AND removed_at IS NULL").map(Rows.person)
        }
    }

    /// Gives a person another role. When it lowers their rights anywhere, their personal tokens
    /// are revoked and their sessions end (their generation grows), in the same transaction.
    public func setRole(email: String, to request: RoleChange, change: ChangeInfo) async throws -> Person {
        let environments = request.environments ?? []
        let now = self.now()
        return try await write { session -> Person in
            try await Rows.requireEnvironments(session, environments)
            let row = try await Rows.personRow(session, email: email)
            let before = try Rows.person(row)
            let after = AccessGrant(role: request.role, environments: environments)
            if before.grant == after { return before }
            try await session.execute(
                "UPDATE person SET role = \(request.role.rawValue), environments = \(Rows.environmentText(environments)) WHERE id = \(before.id)")
            if !after.covers(before.grant) {
                try await Rows.endCredentials(session, personID: before.id, at: now)
            }
            try await Rows.audit(
                session, at: now, change: Self.described(change, "\(before.role.rawValue) → \(request.role.rawValue)", environments),
                action: "set-role", entity: "person", key: before.email, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            return try Rows.person(try await Rows.personRow(session, email: email))
        }
    }

    /// Removes a person: their personal tokens, invites and sessions end at once. What they did
    /// keeps naming them (revisions and audit entries hold the name as it was).
    public func removePerson(email: String, change: ChangeInfo) async throws -> Person {
        let now = self.now()
        let person = try await write { session -> Person in
            let person = try Rows.person(try await Rows.personRow(session, email: email))
            try await Rows.endCredentials(session, personID: person.id, at: now)
            try await session.execute("UPDATE invite SET used_at = \(now) WHERE person_id = \(person.id) AND used_at IS NULL")
            try await session.execute("UPDATE person SET removed_at = \(now) WHERE id = \(person.id)")
            try await Rows.audit(
                session, at: now, change: change, action: "remove", entity: "person", key: person.email, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            return person
        }
        logger.info("person removed", metadata: ["id": "\(person.id)", "actor": "\(change.actor)"])
        return person
    }

    // MARK: Invites and passwords

    /// The person an invite is for, while it is unused, unexpired and its person a member.
    public func invitedPerson(secret: String) async throws -> Person? {
        let now = self.now()
        return try await read { session in
            try await Self.validInvite(session, secret: secret, now: now).map(Rows.person)
        }
    }

    /// Sets the person's password from their invite, which then stops working; `notFound` for
    /// an unknown, used or expired invite, `badRequest` (field `password`) for a short password.
    public func acceptInvite(secret: String, password: String) async throws -> Person {
        try PeopleRules.checkPassword(password)
        let hash = try await PasswordHash.make(password)
        let now = self.now()
        return try await write { session -> Person in
            guard let row = try await Self.validInvite(session, secret: secret, now: now) else {
                throw StoreError.notFound("this invite link is not valid (used, expired or unknown); ask for a new one", field: "invite")
            }
            let person = try Rows.person(row)
            try await session.execute("UPDATE invite SET used_at = \(now) WHERE hash = \(Secrets.hash(secret: secret))")
            try await session.execute("UPDATE person SET password_hash = \(hash) WHERE id = \(person.id)")
            try await Rows.audit(
                session, at: now, change: ChangeInfo(actor: person.email), action: "set-password", entity: "person", key: person.email,
                environment: nil, revision: nil)
            return try Rows.person(try await Rows.personRow(session, email: person.email))
        }
    }

    /// The member whose email (any case) and password these are, or `nil`. An unknown email and
    /// a wrong password get the same `nil` after the same KDF work (``PasswordHash/verify(_:against:)``).
    public func verifyPassword(email: String, password: String) async throws -> Person? {
        let row = try await read { session in
            try await session.row("SELECT * FROM person WHERE email_key = \(PeopleRules.emailKey(email)) AND removed_at IS NULL")
        }
        let stored: String? = try row?.get("password_hash")
        guard await PasswordHash.verify(password, against: stored), let row else { return nil }
        return try Rows.person(row)
    }

    // MARK: Tokens

    /// Makes a token: a personal one of `personID` (at most that person's role; they can narrow
    /// it), or with `request.service` a service token of the role given. The secret
    /// (`clutch_pat_…` or `clutch_svc_…`, 32 random bytes) is returned here only.
    public func createToken(_ request: TokenCreate, personID: String?, change: ChangeInfo) async throws -> (TokenRecord, secret: String) {
        let name = try PeopleRules.checkedName(request.name, field: "name")
        let kind: TokenKind = request.service == true ? .service : .personal
        let environments = request.environments ?? []
        if kind == .service, request.role == nil {
            throw StoreError.badRequest("a service token needs a role", field: "role")
        }
        let secret = kind.secretPrefix + Secrets.randomHex(bytes: 32)
        let id = "t_" + Secrets.randomHex(bytes: 8)
        let now = self.now()
        let expiresAt = try PeopleRules.expiry(days: request.expiresInDays, from: now)
        let record = try await write { session -> TokenRecord in
            try await Rows.requireEnvironments(session, environments)
            var owner: String?
            if kind == .personal {
                guard let personID, let row = try await session.row("SELECT * FROM person WHERE id = \(personID) AND removed_at IS NULL") else {
                    throw StoreError.badRequest("a personal token belongs to a person; use a service token (service) for CI", field: "service")
                }
                let person = try Rows.person(row)
                if let role = request.role, role > person.role {
                    throw StoreError.badRequest("\(person.email) is \(person.role.withArticle): a token of theirs cannot be \(role.withArticle)", field: "role")
                }
                owner = person.id
            }
            try await session.execute(
                """
                INSERT INTO token (id, kind, name, person_id, role, environments, hash, created_at, expires_at)
                VALUES (\(id), \(kind.rawValue), \(name), \(owner), \(request.role?.rawValue), \(Rows.environmentText(environments)),
                        \(Secrets.hash(secret: secret)), \(now), \(expiresAt))
                """)
            try await Rows.audit(
                session, at: now, change: change, action: "create", entity: "token", key: id, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            return try await Rows.token(session, id)
        }
        logger.info("token created", metadata: ["id": "\(id)", "kind": "\(kind.rawValue)", "actor": "\(change.actor)"])
        return (record, secret)
    }

    /// Tokens, revoked ones included, oldest first: of one person (`personID`), or all.
    public func tokens(personID: String?) async throws -> [TokenRecord] {
        try await read { session in
            let condition: SQL = personID.map { "token.person_id = \($0)" } ?? "1 = 1"
            return try await session.rows(Rows.tokenQuery(where: condition)).map(Rows.token)
        }
    }

    /// The token `id`, revoked or not, or `notFound`; with the id of its person, if any.
    public func token(id: String) async throws -> (record: TokenRecord, personID: String?) {
        try await read { session in
            let record = try await Rows.token(session, id)
            return (record, try await session.value(String.self, "SELECT person_id FROM token WHERE id = \(id)"))
        }
    }

    /// Revokes a token, ending the console sessions it opened; revoking it again changes nothing.
    public func revokeToken(id: String, change: ChangeInfo) async throws -> TokenRecord {
        let now = self.now()
        return try await write { session -> TokenRecord in
            let record = try await Rows.token(session, id)
            if record.revokedAt != nil { return record }
            try await session.execute("UPDATE token SET revoked_at = \(now) WHERE id = \(id)")
            try await Rows.endConsoleSessions(session, tokenID: id)
            try await Rows.audit(session, at: now, change: change, action: "revoke", entity: "token", key: id, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            return try await Rows.token(session, id)
        }
    }

    // MARK: Helpers

    private static func insertInvite(_ session: any SQLSession, personID: String, secret: String, at now: Date) async throws {
        try await session.execute(
            """
            INSERT INTO invite (hash, person_id, created_at, expires_at)
            VALUES (\(Secrets.hash(secret: secret)), \(personID), \(now), \(now.addingTimeInterval(PeopleRules.inviteLifetime)))
            """)
    }

    /// The person row of an unused, unexpired invite of a member.
    private static func validInvite(_ session: any SQLSession, secret: String, now: Date) async throws -> SQLRow? {
        try await session.row(
            """
            SELECT person.* FROM invite JOIN person ON person.id = invite.person_id
            WHERE invite.hash = \(Secrets.hash(secret: secret)) AND invite.used_at IS NULL AND invite.expires_at > \(now)
              AND person.removed_at IS NULL
            """)
    }

    /// The change's message, or what the change did when it has none (the audit log says it).
    private static func described(_ change: ChangeInfo, _ what: String, _ environments: [String]) -> ChangeInfo {
        guard change.message == nil else { return change }
        let place = environments.isEmpty ? "" : " in \(environments.sorted().joined(separator: ", "))"
        return ChangeInfo(actor: change.actor, message: what + place)
    }
}
