import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// `clutch users …` and `clutch tokens …` through the real binary against a real server: the
/// owner adds people and service tokens, a refused command exits 1 with the policy's sentence.
@Suite("clutch users and tokens")
struct PeopleCommandTests {
    @Test("users add prints the invite link, list shows the role, set-role and remove change it")
    func users() async throws {
        let server = try await TestServer.shared.get()
        let email = "\(uniqueKey("dev"))@example.com"
        let added = try await server.clutch("users", "add", email, "--name", "Dev", "--role", "editor", "--env", "staging", "--json")
        #expect(added.status == 0, "\(added)")
        let invite = try #require(try added.json()["inviteUrl"]?.string)
        #expect(invite.hasPrefix("http://127.0.0.1:\(server.port)/ui/invite/"), "\(invite)")
        #expect(try added.json()["person"]?["role"]?.string == "editor")

        let text = try await server.clutch("users", "list")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains(email))
        #expect(text.stdout.contains("editor in staging"))
        #expect(text.stdout.contains("invited"))

        let again = try await server.clutch("users", "add", email.uppercased(), "--role", "viewer")
        #expect(again.status == 1)
        #expect(again.stderr.contains("is a member already"), "\(again)")

        let raised = try await server.clutch("users", "set-role", email, "--role", "responder")
        #expect(raised.status == 0, "\(raised)")
        #expect(raised.stdout.contains("is now responder"))
        let badRole = try await server.clutch("users", "set-role", email, "--role", "chief")
        #expect(badRole.status == 2, "\(badRole)")

        let removed = try await server.clutch("users", "remove", email)
        #expect(removed.status == 0, "\(removed)")
        let list = try await server.clutch("users", "list", "--json")
        #expect(try list.json()["users"]?.array?.contains { $0["email"]?.string == email } == false)
        let missing = try await server.clutch("users", "remove", email)
        #expect(missing.status == 1)
    }

    @Test("a service token is shown once, acts with its role, and a refusal exits 1 with the policy's sentence")
    func serviceTokens() async throws {
        let server = try await TestServer.shared.get()
        let name = uniqueKey("ci")
        let created = try await server.clutch(
            "tokens", "create", "--service", "--name", name, "--role", "viewer", "--expires", "90d", "--json")
        #expect(created.status == 0, "\(created)")
        let secret = try #require(try created.json()["token"]?.string)
        #expect(secret.hasPrefix("clutch_svc_"))
        let id = try #require(try created.json()["record"]?["id"]?.string)
        #expect(try created.json()["record"]?["expiresAt"]?.string != nil)

        let key = uniqueKey("guarded")
        #expect(try await server.clutch("flags", "create", key).status == 0)
        let refused = try await server.clutch("on", key, "--env", "production", environment: ["CLUTCH_TOKEN": secret])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("\(name) (service token) is a viewer in production; changing it needs editor"), "\(refused)")
        #expect(try await server.clutch("flags", "get", key, environment: ["CLUTCH_TOKEN": secret]).status == 0, "a viewer reads")

        let list = try await server.clutch("tokens", "list")
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.contains("\(name) (service token)"))
        #expect(!list.stdout.contains(secret))
        let revoked = try await server.clutch("tokens", "revoke", id)
        #expect(revoked.status == 0, "\(revoked)")
        #expect(try await server.clutch("flags", "list", environment: ["CLUTCH_TOKEN": secret]).status == 1, "revoked")

        let noRole = try await server.clutch("tokens", "create", "--service", "--name", "x")
        #expect(noRole.status == 2, "\(noRole)")
        let badExpiry = try await server.clutch("tokens", "create", "--name", "x", "--expires", "soon")
        #expect(badExpiry.status == 2, "\(badExpiry)")
        // The bootstrap token is a service token: it has no person to make a personal token for.
        let personal = try await server.clutch("tokens", "create", "--name", "mine")
        #expect(personal.status == 1, "\(personal)")
        #expect(personal.stderr.contains("belongs to a person"), "\(personal)")
    }
}
