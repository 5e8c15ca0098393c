import Foundation

extension Rows {
    // MARK: Credentials

    /// The payload that tells the other replicas the credentials changed (a key created or
    /// revoked), so that they reload them (``StoreNotification/credentials``).
    static let credentialsPayload = "credentials"

    /// Tells the other replicas, once the transaction commits, to reload the credentials.
    static func notifyCredentials(_ session: any SQLSession) async throws {
        try await session.notify(credentialsPayload)
    }

    /// The SDK key `id`, revoked or not, or `notFound`.
    static func sdkKey(_ session: any SQLSession, _ id: String) async throws -> SDKKeyRecord {
        guard let row = try await session.row("SELECT * FROM credential WHERE kind = 'sdk' AND id = \(id)") else {
            throw StoreError.notFound("key '\(id)' does not exist")
        }
        return try sdkKey(row)
    }

    static func sdkKey(_ row: SQLRow) throws -> SDKKeyRecord {
        SDKKeyRecord(
            id: try row.get("id"), name: try row.get("name"), environment: try row.get("environment", as: String?.self) ?? "",
            kind: try keyKind(row), createdAt: try row.get("created_at"), revokedAt: try row.get("revoked_at"))
    }

    /// The SDK key's kind (`key_kind`, v16-key-kinds). The column's check allows no other value;
    /// were one there all the same, the key would get the least it could: a client key's reach.
    static func keyKind(_ row: SQLRow) throws -> SDKKeyKind {
        SDKKeyKind(rawValue: try row.get("key_kind", as: String.self)) ?? .client
    }
}
