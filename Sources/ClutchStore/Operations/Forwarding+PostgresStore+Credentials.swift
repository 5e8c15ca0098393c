import ClutchCore
import Foundation

/// Transition: the credential operations written once in ``SQLStore``.
extension PostgresStore {
    public func hasAdminToken() async throws -> Bool { try await sql.hasAdminToken() }
    public func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String) {
        try await sql.createAdminToken(name: name, secret: secret)
    }
    public func createSDKKey(environment: String, name: String, change: ChangeInfo) async throws -> (SDKKeyRecord, secret: String) {
        try await sql.createSDKKey(environment: environment, name: name, change: change)
    }
    public func sdkKeys() async throws -> [SDKKeyRecord] { try await sql.sdkKeys() }
    public func revokeSDKKey(id: String, change: ChangeInfo) async throws -> SDKKeyRecord { try await sql.revokeSDKKey(id: id, change: change) }
    public func activeCredentials() async throws -> [CredentialRecord] { try await sql.activeCredentials() }
}
