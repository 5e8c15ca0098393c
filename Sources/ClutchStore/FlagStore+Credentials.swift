import Crypto
import Foundation
import GRDB

extension FlagStore {
    /// Lowercase SHA-256 hex of `secret`: the only form in which credentials are stored.
    public static func hash(secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `count` random bytes as lowercase hex.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether an unrevoked admin token exists (false before the first start completed).
    public func hasAdminToken() async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE kind = 'admin' AND revoked_at IS NULL LIMIT 1") ?? false
        }
    }

    /// Creates an admin token. `secret` is used when given (a bootstrap token), otherwise a random
    /// `clutch_admin_…` with 32 random bytes. The secret is returned here only.
    public func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a token needs a name", field: "name") }
        if let secret, secret.isEmpty {
            throw StoreError.badRequest("an admin token cannot be empty", field: "secret")
        }
        let secret = secret ?? "clutch_admin_" + FlagStore.randomHex(bytes: 32)
        let hash = FlagStore.hash(secret: secret)
        let id = "a_" + FlagStore.randomHex(bytes: 8)
        let now = Date()
        let record = try await pool.write { db -> AdminTokenRecord in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE hash = ?", arguments: [hash]) ?? false {
                throw StoreError.conflict("this token is already in use", field: "secret")
            }
            try db.execute(
                sql: "INSERT INTO credential (id, kind, name, environment, hash, created_at) VALUES (?, 'admin', ?, NULL, ?, ?)",
                arguments: [id, name, hash, now])
            try Tables.audit(
                db, at: now, change: ChangeInfo(actor: "system"), action: "create", entity: "key",
                key: id, environment: nil, revision: nil)
            let createdAt = try Date.fetchOne(db, sql: "SELECT created_at FROM credential WHERE id = ?", arguments: [id]) ?? now
            return AdminTokenRecord(id: id, name: name, createdAt: createdAt)
        }
        logger.info("admin token created", metadata: ["id": "\(record.id)", "name": "\(name)"])
        return (record, secret)
    }

    /// Creates an SDK key for `environment`: `clutch_sdk_…` with 32 random bytes, returned here only.
    public func createSDKKey(environment: String, name: String, change: ChangeInfo) async throws -> (SDKKeyRecord, secret: String) {
        guard !name.isEmpty else { throw StoreError.badRequest("a key needs a name", field: "name") }
        let secret = "clutch_sdk_" + FlagStore.randomHex(bytes: 32)
        let hash = FlagStore.hash(secret: secret)
        let id = "k_" + FlagStore.randomHex(bytes: 8)
        let now = Date()
        let record = try await pool.write { db -> SDKKeyRecord in
            try Tables.requireEnvironment(db, environment)
            try db.execute(
                sql: "INSERT INTO credential (id, kind, name, environment, hash, created_at) VALUES (?, 'sdk', ?, ?, ?, ?)",
                arguments: [id, name, environment, hash, now])
            try Tables.audit(
                db, at: now, change: change, action: "create", entity: "key", key: id,
                environment: environment, revision: nil)
            return try FlagStore.sdkKey(db, id)
        }
        logger.info("sdk key created", metadata: ["id": "\(record.id)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return (record, secret)
    }

    /// Every SDK key, revoked ones included, oldest first.
    public func sdkKeys() async throws -> [SDKKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credential WHERE kind = 'sdk' ORDER BY created_at, id").map(FlagStore.sdkKey)
        }
    }

    static func sdkKey(_ db: Database, _ id: String) throws -> SDKKeyRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credential WHERE kind = 'sdk' AND id = ?", arguments: [id]) else {
            throw StoreError.notFound("key '\(id)' does not exist")
        }
        return try sdkKey(row)
    }

    static func sdkKey(_ row: Row) throws -> SDKKeyRecord {
        SDKKeyRecord(
            id: try row.decode(String.self, forColumn: "id"),
            name: try row.decode(String.self, forColumn: "name"),
            environment: try row.decode(String?.self, forColumn: "environment") ?? "",
            createdAt: try row.decode(Date.self, forColumn: "created_at"),
            revokedAt: try row.decode(Date?.self, forColumn: "revoked_at"))
    }

    /// Revokes an SDK key; revoking it again changes nothing.
    public func revokeSDKKey(id: String, change: ChangeInfo) async throws -> SDKKeyRecord {
        let record = try await pool.write { db -> SDKKeyRecord in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credential WHERE kind = 'sdk' AND id = ?", arguments: [id]) else {
                throw StoreError.notFound("key '\(id)' does not exist")
            }
            let record = try FlagStore.sdkKey(row)
            if record.revokedAt != nil { return record }
            let now = Date()
            try db.execute(sql: "UPDATE credential SET revoked_at = ? WHERE id = ?", arguments: [now, id])
            try Tables.audit(db, at: now, change: change, action: "revoke", entity: "key", key: id, environment: record.environment, revision: nil)
            return try FlagStore.sdkKey(db, id)
        }
        logger.info("sdk key revoked", metadata: ["id": "\(id)", "actor": "\(change.actor)"])
        return record
    }

    /// Every unrevoked credential by hash, for the server's in-memory lookup.
    public func activeCredentials() async throws -> [CredentialRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credential WHERE revoked_at IS NULL ORDER BY created_at, id").map { row in
                let hash = try row.decode(String.self, forColumn: "hash")
                if try row.decode(String.self, forColumn: "kind") == "admin" {
                    return CredentialRecord(hash: hash, kind: .admin(name: try row.decode(String.self, forColumn: "name")))
                }
                return CredentialRecord(hash: hash, kind: .sdk(
                    id: try row.decode(String.self, forColumn: "id"),
                    environment: try row.decode(String?.self, forColumn: "environment") ?? ""))
            }
        }
    }
}
