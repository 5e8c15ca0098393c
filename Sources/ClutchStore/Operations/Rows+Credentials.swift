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
            createdAt: try row.get("created_at"), revokedAt: try row.get("revoked_at"))
    }
}
