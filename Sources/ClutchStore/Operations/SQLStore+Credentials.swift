import ClutchCore
import Foundation

/// Admin tokens and SDK keys. A secret is returned once, when it is made, and stored only as
/// its SHA-256 (``Secrets/hash(secret:)``); creating or revoking one tells the other replicas to
/// reload the credentials (``Rows/notifyCredentials(_:)``).
extension SQLStore {
    /// Whether an unrevoked admin token exists (false before the first start completed).
    public func hasAdminToken() async throws -> Bool {
        try await read { session in
            try await session.exists("SELECT 1 FROM credential WHERE kind = 'admin' AND revoked_at IS NULL LIMIT 1")
        }
    }

    /// Creates an admin token. `secret` is used when given (a bootstrap token), otherwise a random
    /// `clutch_admin_…` with 32 random bytes. The secret is returned here only.
    public func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a token needs a name", field: "name") }
        if let secret, secret.isEmpty {
            throw StoreError.badRequest("an admin token cannot be empty", field: "secret")
        }
        let secret = secret ?? "clutch_admin_" + Secrets.randomHex(bytes: 32)
        let hash = Secrets.hash(secret: secret)
        let id = "a_" + Secrets.randomHex(bytes: 8)
        let now = self.now()
        let record = try await write { session -> AdminTokenRecord in
            if try await session.exists("SELECT 1 FROM credential WHERE hash = \(hash)") {
                throw StoreError.conflict("this token is already in use", field: "secret")
            }
            try await session.execute(
                "INSERT INTO credential (id, kind, name, environment, hash, created_at) VALUES (\(id), 'admin', \(name), NULL, \(hash), \(now))")
            try await Rows.audit(
                session, at: now, change: ChangeInfo(actor: "system"), action: "create", entity: "key", key: id, environment: nil, revision: nil)
            try await Rows.notifyCredentials(session)
            // Read back, so the date has the precision it is stored with.
            let createdAt = try await session.value(Date.self, "SELECT created_at FROM credential WHERE id = \(id)") ?? now
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

    /// Every unrevoked credential by hash, for the server's in-memory lookup.
    public func activeCredentials() async throws -> [CredentialRecord] {
        try await read { session in
            try await session.rows(
                "SELECT * FROM credential WHERE revoked_at IS NULL ORDER BY created_at, id\(raw: session.dialect.byteOrder)"
            ).map { row in
                let hash: String = try row.get("hash")
                if try row.get("kind", as: String.self) == "admin" {
                    return CredentialRecord(hash: hash, kind: .admin(name: try row.get("name")))
                }
                return CredentialRecord(
                    hash: hash,
                    kind: .sdk(
                        id: try row.get("id"), environment: try row.get("environment", as: String?.self) ?? "", keyKind: try Rows.keyKind(row)))
            }
        }
    }
}
