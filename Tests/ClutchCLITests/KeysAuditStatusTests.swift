import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch keys, audit, status, login")
struct KeysAuditStatusTests {
    @Test("keys create shows the key once; list never shows it; revoke")
    func keys() async throws {
        let server = try await TestServer.shared.get()
        let name = uniqueKey("web")
        let created = try await server.clutch("keys", "create", "--env", "production", "--name", name, "--json")
        #expect(created.status == 0, "\(created)")
        let key = try created.json()
        let secret = try #require(key["key"]?.string)
        #expect(secret.hasPrefix("clutch_sdk_"))
        let id = try #require(key["id"]?.string)
        #expect(key["environment"]?.string == "production")

        let text = try await server.clutch("keys", "create", "--env", "staging", "--name", name + "-2")
        #expect(text.status == 0)
        #expect(text.stdout.contains("clutch_sdk_"))
        #expect(text.stdout.contains("not shown again"))

        let list = try await server.clutch("keys", "list", "--json")
        #expect(list.status == 0)
        #expect(!list.stdout.contains(secret))
        #expect(try list.json()["keys"]?.array?.contains { $0["id"]?.string == id } == true)
        let table = try await server.clutch("keys")
        #expect(table.stdout.contains(name))
        #expect(!table.stdout.contains("clutch_sdk_"))

        let revoked = try await server.clutch("keys", "revoke", id, "-m", "leaked")
        #expect(revoked.status == 0, "\(revoked)")
        #expect(revoked.stdout.contains("Revoked \(id)"))
        let after = try await server.clutch("keys", "list", "--json")
        let entry = try after.json()["keys"]?.array?.first { $0["id"]?.string == id }
        #expect(entry?["revokedAt"]?.string != nil)
        let otherID = try #require(try await server.clutch("keys", "create", "--env", "staging", "--json").json()["id"]?.string)
        let revokedJSON = try await server.clutch("keys", "revoke", otherID, "--json")
        #expect(try revokedJSON.json() == ["revoked": .string(otherID)])
        let missingEnv = try await server.clutch("keys", "create")
        #expect(missingEnv.status == 2)
    }

    @Test("keys create --kind client makes a public key with its own prefix; list shows each key's kind")
    func clientKeys() async throws {
        let server = try await TestServer.shared.get()
        let name = uniqueKey("ios")
        let created = try await server.clutch("keys", "create", "--env", "production", "--name", name, "--kind", "client", "--json")
        #expect(created.status == 0, "\(created)")
        let key = try created.json()
        #expect(key["key"]?.string?.hasPrefix("clutch_client_") == true)
        #expect(key["kind"]?.string == "client")
        let id = try #require(key["id"]?.string)
        let server2 = try await server.clutch("keys", "create", "--env", "production", "--name", name + "-backend")
        #expect(server2.stdout.contains("Created server key"), "\(server2)")
        #expect(server2.stdout.contains("clutch_sdk_"))

        let list = try await server.clutch("keys", "list", "--json")
        #expect(try list.json()["keys"]?.array?.first { $0["id"]?.string == id }?["kind"]?.string == "client")
        let table = try await server.clutch("keys")
        #expect(table.stdout.contains("KIND"))
        let row = table.stdout.split(separator: "\n").first { $0.contains(id) }
        #expect(row?.contains("client") == true, "\(table.stdout)")
        let bad = try await server.clutch("keys", "create", "--env", "production", "--kind", "mobile")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("server or client"), "\(bad)")
    }

    @Test("audit shows changes with actor and message, filtered by flag and time")
    func audit() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("audited")
        _ = try await server.clutch("flags", "create", key, "-m", "hello audit")
        _ = try await server.clutch("on", key, "--env", "staging", "-m", "switch on")
        let json = try await server.clutch("audit", "--flag", key, "--since", "1h", "--json")
        #expect(json.status == 0, "\(json)")
        let events = try #require(try json.json()["events"]?.array)
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0["key"]?.string == key })
        #expect(events[0]["message"]?.string == "switch on")
        #expect(events[1]["message"]?.string == "hello audit")
        let text = try await server.clutch("audit", "--flag", key)
        #expect(text.status == 0)
        #expect(text.stdout.contains("switch on"))
        #expect(text.stdout.hasPrefix("TIME"))
    }

    @Test("status shows the version and environments")
    func status() async throws {
        let server = try await TestServer.shared.get()
        let json = try await server.clutch("status", "--json")
        #expect(json.status == 0, "\(json)")
        let body = try json.json()
        #expect(body["version"]?.string?.isEmpty == false)
        let environments = body["environments"]?.array?.compactMap { $0["key"]?.string } ?? []
        #expect(Set(environments).isSuperset(of: ["development", "staging", "production"]))
        let text = try await server.clutch("status")
        #expect(text.stdout.contains("at \(server.address)"))
        #expect(text.stdout.contains("ENVIRONMENT"))
        #expect(text.stdout.contains("production"))
    }

    @Test("login checks the token, then saves server and token for later commands")
    func login() async throws {
        let server = try await TestServer.shared.get()
        let config = server.directory.appendingPathComponent("login-\(UUID().uuidString).json").path
        let bad = try await runClutch(["login", "--server", server.address, "--token", TestServer.randomToken()], environment: ["CLUTCH_CONFIG": config])
        #expect(bad.status == 1)
        #expect(!FileManager.default.fileExists(atPath: config), "a refused login writes nothing")

        let good = try await runClutch(["login", "--server", server.address, "--token", server.token], environment: ["CLUTCH_CONFIG": config])
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("Logged in to \(server.address)"))
        let attributes = try FileManager.default.attributesOfItem(atPath: config)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let later = try await runClutch(["flags", "list", "--json"], environment: ["CLUTCH_CONFIG": config])
        #expect(later.status == 0, "the config file supplies server and token: \(later)")

        let elsewhere = try await runClutch(["status"], environment: ["CLUTCH_CONFIG": config, "CLUTCH_URL": "http://127.0.0.1:\(try closedPort())"])
        #expect(elsewhere.status == 1, "\(elsewhere)")
        let json = try await runClutch(["login", "--server", server.address, "--token", server.token, "--json"], environment: ["CLUTCH_CONFIG": config])
        #expect(json.status == 0, "\(json)")
        #expect(try json.json()["config"]?.string == config)
        let missing = try await runClutch(["login", "--token", "x"], environment: ["CLUTCH_CONFIG": config])
        #expect(missing.status == 2)
    }
}
