import ClutchCore
import Foundation
import PostgresNIO

/// Admin tokens and SDK keys, stored as SHA-256 hashes as in ``FlagStore``.
extension PostgresStore {
    public func hasAdminToken() async throws -> Bool {
        try await read { session in
            try await session.value(Int.self, "SELECT 1::BIGINT FROM credential WHERE kind = 'admin' AND revoked_at IS NULL LIMIT 1") != nil
        }
    }

    public func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a token needs a name", field: "name") }
        if let secret, secret.isEmpty {
            throw StoreError.badRequest("an admin token cannot be empty", field: "secret")
        }
        let secret = secret ?? "clutch_admin_" + FlagStore.randomHex(bytes: 32)
        let hash = FlagStore.hash(secret: secret)
        let id = "a_" + FlagStore.randomHex(bytes: 8)
        let now = Date()
        let record = try await write { session -> AdminTokenRecord in
            if try await session.value(Int.self, "SELECT 1::BIGINT FROM credential WHERE hash = \(hash)") != nil {
                throw StoreError.conflict("this token is already in use", field: "secret")
            }
            try await session.execute(
                "INSERT INTO credential (id, kind, name, environment, hash, created_at) VALUES (\(id), 'admin', \(name), NULL, \(hash), \(now))")
            try await PostgresTables.audit(
                session, at: now, change: ChangeInfo(actor: "system"), action: "create", entity: "key", key: id, environment: nil, revision: nil)
            try await PostgresTables.notifyCredentials(session)
            let createdAt = try await session.value(Date.self, "SELECT created_at FROM credential WHERE id = \(id)") ?? now
            return AdminTokenRecord(id: id, name: name, createdAt: createdAt)
        }
        logger.info("admin token created", metadata: ["id": "\(record.id)", "name": "\(name)"])
        return (record, secret)
    }

    public func createSDKKey(environment: String, name: String, change: ChangeInfo) async throws -> (SDKKeyRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a key needs a name", field: "name") }
        let secret = "clutch_sdk_" + FlagStore.randomHex(bytes: 32)
        let hash = FlagStore.hash(secret: secret)
        let id = "k_" + FlagStore.randomHex(bytes: 8)
        let now = Date()
        let record = try await write { session -> SDKKeyRecord in
            try await PostgresTables.requireEnvironment(session, environment)
            try await session.execute(
                """
                INSERT INTO credential (id, kind, name, environment, hash, created_at)
                VALUES (\(id), 'sdk', \(name), \(environment), \(hash), \(now))
                """)
            try await PostgresTables.audit(
                session, at: now, change: change, action: "create", entity: "key", key: id, environment: environment, revision: nil)
            try await PostgresTables.notifyCredentials(session)
            return try await Self.sdkKey(session, id)
        }
        logger.info("sdk key created", metadata: ["id": "\(record.id)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return (record, secret)
    }

    public func sdkKeys() async throws -> [SDKKeyRecord] {
        try await read { session in
            try await session.rows("SELECT * FROM credential WHERE kind = 'sdk' ORDER BY created_at, id").map(Self.sdkKeyRecord)
        }
    }

    static func sdkKey(_ session: PostgresSession, _ id: String) async throws -> SDKKeyRecord {
        guard let row = try await session.row("SELECT * FROM credential WHERE kind = 'sdk' AND id = \(id)") else {
            throw StoreError.notFound("key '\(id)' does not exist")
        }
        return try sdkKeyRecord(row)
    }

    static func sdkKeyRecord(_ row: PostgresRandomAccessRow) throws -> SDKKeyRecord {
        SDKKeyRecord(
            id: try row.get("id"), name: try row.get("name"), environment: try row.get("environment", as: String?.self) ?? "",
            createdAt: try row.get("created_at"), revokedAt: try row.get("revoked_at"))
    }

    public func revokeSDKKey(id: String, change: ChangeInfo) async throws -> SDKKeyRecord {
        let record = try await write { session -> SDKKeyRecord in
            let record = try await Self.sdkKey(session, id)
            if record.revokedAt != nil { return record }
            let now = Date()
            try await session.execute("UPDATE credential SET revoked_at = \(now) WHERE id = \(id)")
            try await PostgresTables.audit(
                session, at: now, change: change, action: "revoke", entity: "key", key: id, environment: record.environment, revision: nil)
            try await PostgresTables.notifyCredentials(session)
            return try await Self.sdkKey(session, id)
        }
        logger.info("sdk key revoked", metadata: ["id": "\(id)", "actor": "\(change.actor)"])
        return record
    }

    public func activeCredentials() async throws -> [CredentialRecord] {
        try await read { session in
            try await session.rows("SELECT * FROM credential WHERE revoked_at IS NULL ORDER BY created_at, id").map { row in
                let hash: String = try row.get("hash")
                if try row.get("kind", as: String.self) == "admin" {
                    return CredentialRecord(hash: hash, kind: .admin(name: try row.get("name")))
                }
                return CredentialRecord(hash: hash, kind: .sdk(
                    id: try row.get("id"), environment: try row.get("environment", as: String?.self) ?? ""))
            }
        }
    }
}

extension PostgresTables {
    /// The payload that tells other replicas the credentials changed (a key created or revoked).
    static let credentialsPayload = "credentials"

    /// Tells the other replicas, once the transaction commits, to reload the credentials.
    static func notifyCredentials(_ session: PostgresSession) async throws {
        try await session.execute("SELECT pg_notify(\(PostgresStore.changesChannel), \(credentialsPayload))")
    }
}
