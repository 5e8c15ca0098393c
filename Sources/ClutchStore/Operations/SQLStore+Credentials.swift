import ClutchCore
import Foundation

/// Admin tokens and SDK keys. A secret is returned once, when it is made, and stored only as
/// its SHA-256 (``Secrets/hash(secret:)``); creating or revoking one tells the other replicas to
/// reload the credentials (``Rows/notifyCredentials(_:)``).
extension SQLStore {
    /// Whether the first token was ever made (false before the first start completed): the
    /// bootstrap token is made once, not again after it was revoked.
    public func hasAdminToken() async throws -> Bool {
        try await read { session in
            try await session.exists("SELECT 1 FROM token LIMIT 1")
        }
    }

    /// Creates the bootstrap token: a service token with role owner. `secret` is used when given
    /// (`CLUTCH_BOOTSTRAP_TOKEN`), otherwise a random `clutch_svc_…` with 32 random bytes. The
    /// secret is returned here only.
    public func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a token needs a name", field: "name") }
        if let secret, secret.isEmpty {
            throw StoreError.badRequest("an admin token cannot be empty", field: "secret")
        }
        let secret = secret ?? TokenKind.service.secretPrefix + Secrets.randomHex(bytes: 32)
        let hash = Secrets.hash(secret: secret)
        let id = "t_" + Secrets.randomHex(bytes: 8)
        let now = self.now()
        let record = try await write { session -> AdminTokenRecord in
            if try await session.exists("SELECT 1 FROM token WHERE hash = \(hash)") {
                throw StoreError.conflict("this token is already in use", field: "secret")
            }
            try await session.execute(
                """
                INSERT INTO token (id, kind, name, person_id, role, environments, hash, created_at)
                VALUES (\(id), 'service', \(name), NULL, 'owner', '', \(hash), \(now))
                """)
            try await Rows.audit(
                session, at: now, change: ChangeInfo(actor: "system"), action: "create", entity: "token", key: id, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            // Read back, so the date has the precision it is stored with.
            let createdAt = try await session.value(Date.self, "SELECT created_at FROM token WHERE id = \(id)") ?? now
            return AdminTokenRecord(id: id, name: name, createdAt: createdAt)
        }
        logger.info("admin token created", metadata: ["id": "\(record.id)", "name": "\(name)"])
        return (record, secret)
    }

    /// Creates an SDK key of `kind` for `environment`: the kind's prefix (``SDKKeyKind/prefix``)
    /// and 32 random bytes, returned here only. A client key is public, but random all the same:
    /// it names its environment without being guessable.
    public func createSDKKey(
        environment: String, name: String, kind: SDKKeyKind, change: ChangeInfo
    ) async throws -> (SDKKeyRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a key needs a name", field: "name") }
        let secret = kind.prefix + Secrets.randomHex(bytes: 32)
        let hash = Secrets.hash(secret: secret)
        let id = "k_" + Secrets.randomHex(bytes: 8)
        let now = self.now()
        let record = try await write { session -> SDKKeyRecord in
            try await Rows.requireEnvironment(session, environment)
            try await session.execute(
                """
                INSERT INTO credential (id, kind, key_kind, name, environment, hash, created_at)
                VALUES (\(id), 'sdk', \(kind.rawValue), \(name), \(environment), \(hash), \(now))
                """)
            try await Rows.audit(
                session, at: now, change: change, action: "create", entity: "key", key: id, environment: environment, revision: nil)
            try await Rows.notifyCredentials(session)
            return try await Rows.sdkKey(session, id)
        }
        logger.info(
            "sdk key created",
            metadata: ["id": "\(record.id)", "kind": "\(kind.rawValue)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return (record, secret)
    }

    /// Every SDK key, revoked ones included, oldest first.
    public func sdkKeys() async throws -> [SDKKeyRecord] {
        try await read { session in
            try await session.rows(
                "SELECT * FROM credential WHERE kind = 'sdk' ORDER BY created_at, id\(raw: session.dialect.byteOrder)"
            ).map(Rows.sdkKey)
        }
    }

    /// Revokes an SDK key; revoking it again changes nothing.
    public func revokeSDKKey(id: String, change: ChangeInfo) async throws -> SDKKeyRecord {
        let record = try await write { session -> SDKKeyRecord in
            let record = try await Rows.sdkKey(session, id)
            if record.revokedAt != nil { return record }
            let now = self.now()
            try await session.execute("UPDATE credential SET revoked_at = \(now) WHERE id = \(id)")
            try await Rows.audit(
                session, at: now, change: change, action: "revoke", entity: "key", key: id, environment: record.environment, revision: nil)
            try await Rows.notifyCredentials(session)
            return try await Rows.sdkKey(session, id)
        }
        logger.info("sdk key revoked", metadata: ["id": "\(id)", "actor": "\(change.actor)"])
        return record
    }

    /// Every unrevoked, unexpired token of a person not removed, every unrevoked SDK key, and
    /// every person not removed: what the server's in-memory lookup holds.
    public func activeCredentials() async throws -> ActiveCredentials {
        let now = self.now()
        return try await read { session in
            let people = try await session.rows(
                "SELECT * FROM person WHERE removed_at IS NULL ORDER BY created_at, id\(raw: session.dialect.byteOrder)"
            ).map(Rows.personAccess)
            let byID = Dictionary(people.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var records: [CredentialRecord] = []
            for row in try await session.rows(Rows.tokenQuery(where: "token.revoked_at IS NULL")) {
                let token = try Rows.token(row)
                if let expiresAt = token.expiresAt, expiresAt <= now { continue }
                let personID: String? = try row.get("person_id")
                let person = personID.flatMap { byID[$0] }
                // A personal token of a removed person ends with them.
                if token.kind == .personal, person == nil { continue }
                records.append(CredentialRecord(hash: try row.get("hash"), kind: .token(Rows.tokenAccess(token, person: person))))
            }
            for row in try await session.rows(
                "SELECT * FROM credential WHERE kind = 'sdk' AND revoked_at IS NULL ORDER BY created_at, id\(raw: session.dialect.byteOrder)")
            {
                records.append(CredentialRecord(
                    hash: try row.get("hash"),
                    kind: .sdk(
                        id: try row.get("id"), environment: try row.get("environment", as: String?.self) ?? "", keyKind: try Rows.keyKind(row))))
            }
            return ActiveCredentials(records: records, people: people)
        }
    }
}
