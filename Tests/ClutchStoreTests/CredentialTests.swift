import ClutchCore
import ClutchStore
import Foundation
import Testing

@Suite("Credentials")
struct CredentialTests {
    @Test func secretsAreStoredOnlyAsHashes() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        #expect(try await store.hasAdminToken() == false)
        let (token, adminSecret) = try await store.createAdminToken(name: "admin", secret: nil)
        let (key, sdkSecret) = try await store.createSDKKey(environment: "production", name: "web", kind: .server, change: admin)
        #expect(adminSecret.hasPrefix("clutch_admin_"))
        #expect(adminSecret.count == "clutch_admin_".count + 64)
        #expect(sdkSecret.hasPrefix("clutch_sdk_"))
        #expect(try await store.hasAdminToken())
        #expect(key.environment == "production")

        let credentials = try await store.activeCredentials()
        #expect(credentials.contains(CredentialRecord(hash: Secrets.hash(secret: adminSecret), kind: .admin(name: "admin"))))
        #expect(credentials.contains(CredentialRecord(hash: Secrets.hash(secret: sdkSecret), kind: .sdk(id: key.id, environment: "production", keyKind: .server))))
        #expect(token.name == "admin")

        try store.close()
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: fixture.path + suffix))) ?? Data()
        }
        #expect(bytes.range(of: Data(adminSecret.utf8)) == nil)
        #expect(bytes.range(of: Data(sdkSecret.utf8)) == nil)
        // The hashes are there, so the search above looked at the right bytes.
        #expect(bytes.range(of: Data(Secrets.hash(secret: adminSecret).utf8)) != nil)
        #expect(bytes.range(of: Data(Secrets.hash(secret: sdkSecret).utf8)) != nil)
    }

    @Test func hashIsSHA256Hex() {
        #expect(Secrets.hash(secret: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: StoreBackend.allCases) func bootstrapTokenIsUsedAsGiven(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let (_, secret) = try await fixture.store.createAdminToken(name: "admin", secret: "bootstrap-token-0123456789")
        #expect(secret == "bootstrap-token-0123456789")
        #expect(try await fixture.store.activeCredentials().map(\.hash) == [Secrets.hash(secret: secret)])
        let reused = await #expect(throws: StoreError.self) {
            try await fixture.store.createAdminToken(name: "again", secret: "bootstrap-token-0123456789")
        }
        #expect(reused?.kind == .conflict)
    }

    @Test(arguments: StoreBackend.allCases) func aClientKeyHasItsOwnPrefixAndIsListedAsAClientKey(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (server, serverSecret) = try await store.createSDKKey(environment: "production", name: "backend", kind: .server, change: admin)
        let (client, clientSecret) = try await store.createSDKKey(environment: "production", name: "ios", kind: .client, change: admin)
        #expect(serverSecret.hasPrefix("clutch_sdk_"))
        #expect(clientSecret.hasPrefix("clutch_client_"))
        #expect(clientSecret.count == "clutch_client_".count + 64)
        #expect(server.kind == .server)
        #expect(client.kind == .client)
        #expect(try await store.sdkKeys().map(\.kind) == [.server, .client])
        let active = try await store.activeCredentials()
        #expect(active.contains(CredentialRecord(hash: Secrets.hash(secret: clientSecret), kind: .sdk(id: client.id, environment: "production", keyKind: .client))))
        #expect(active.contains(CredentialRecord(hash: Secrets.hash(secret: serverSecret), kind: .sdk(id: server.id, environment: "production", keyKind: .server))))
    }

    @Test(arguments: StoreBackend.allCases) func revokedKeyIsNoLongerActive(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (web, _) = try await store.createSDKKey(environment: "production", name: "web", kind: .server, change: admin)
        let (ios, _) = try await store.createSDKKey(environment: "staging", name: "ios", kind: .server, change: admin)
        let revoked = try await store.revokeSDKKey(id: web.id, change: admin)
        #expect(revoked.revokedAt != nil)
        let active = try await store.activeCredentials()
        #expect(active.count == 1)
        #expect(active.first?.kind == .sdk(id: ios.id, environment: "staging", keyKind: .server))
        let keys = try await store.sdkKeys()
        #expect(Set(keys.map(\.id)) == [web.id, ios.id])
        #expect(keys.first { $0.id == web.id }?.revokedAt != nil)
        let unknown = await #expect(throws: StoreError.self) { try await store.revokeSDKKey(id: "k_nope", change: admin) }
        #expect(unknown?.kind == .notFound)
        let audit = try await store.auditEvents(since: nil, flag: nil, limit: 10)
        #expect(audit.first?.action == "revoke")
        #expect(audit.first?.key == web.id)
    }

    @Test(arguments: StoreBackend.allCases) func returnedRecordsEqualWhatIsStored(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (key, _) = try await store.createSDKKey(environment: "staging", name: "web", kind: .server, change: admin)
        #expect(try await store.sdkKeys() == [key])
        let revoked = try await store.revokeSDKKey(id: key.id, change: admin)
        #expect(try await store.sdkKeys() == [revoked])
        #expect(try await store.revokeSDKKey(id: key.id, change: admin) == revoked)
        let qa = try await store.createEnvironment("qa", change: admin)
        #expect(try await store.environments().contains(qa))
    }

    @Test(arguments: StoreBackend.allCases) func keyForUnknownEnvironmentIsNotFound(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.createSDKKey(environment: "nowhere", name: "web", kind: .server, change: admin)
        }
        #expect(error?.kind == .notFound)
        #expect(try await fixture.store.sdkKeys().isEmpty)
    }
}
