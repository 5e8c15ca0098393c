import ClutchCore
@testable import ClutchServer
import ClutchStore
import Foundation
import ServerTestSupport
import Testing

/// A change naming an attribute that no context has carried is made, and `clutch` says so on
/// stderr with the closest seen name first; the sticky attribute is `targetingKey` unless told.
@Suite("clutch attribute warnings and the sticky default")
struct AttributeWarningTests {
    @Test("a rollout, or a release, by customerID when only customerId was seen prints the warning on stderr and exits 0")
    func rolloutByAnUnseenAttributeWarns() async throws {
        // A server of its own: the contexts it sees are this test's alone.
        try await TestServer.with { server in
            _ = try await server.clutch("flags", "create", "new-checkout")
            _ = try await server.clutch("on", "new-checkout", "--env", "production")
            let (_, key) = try await server.createKey("production")
            try await server.mustSend(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout",
                body: #"{"context": {"targetingKey": "u1", "customerId": "acme", "email": "a@example.com", "plan": "pro"}}"#, as: .bearer(key))

            let typo = try await server.clutch("rollout", "new-checkout", "--env", "production", "--percent", "10", "--by", "customerID")
            #expect(typo.status == 0, "\(typo)")
            #expect(typo.stderr.contains(
                "warning: customerID has not been seen in production contexts; seen: customerId, email, plan, targetingKey"), "\(typo)")
            #expect(!typo.stdout.contains("warning:"), "warnings go to stderr")

            let right = try await server.clutch("rollout", "new-checkout", "--env", "production", "--percent", "10", "--by", "customerId")
            #expect(right.status == 0, "\(right)")
            #expect(!right.stderr.contains("warning:"), "\(right)")

            // A guarded release sticky on the typo would serve its variant to no one, step after step.
            _ = try await server.clutch("flags", "create", "new-search")
            let release = try await server.clutch("release", "start", "new-search", "--env", "production", "--by", "customerID")
            #expect(release.status == 0, "\(release)")
            #expect(release.stderr.contains(
                "warning: customerID has not been seen in production contexts; seen: customerId, email, plan, targetingKey"), "\(release)")
        }
    }

    @Test("rules, on, rollback, a schedule, import and its dry run, restore and a change request each warn about an unseen name on stderr and succeed; off does not")
    func everyWritePathWarns() async throws {
        try await TestServer.with { server in
            let (_, key) = try await server.createKey("production")
            _ = try await server.clutch("flags", "create", "checkout")
            try await server.mustSend(
                "POST", "/ofrep/v1/evaluate/flags/checkout",
                body: #"{"context": {"targetingKey": "u1", "customerId": "acme", "email": "a@example.com", "plan": "pro"}}"#, as: .bearer(key))
            func warning(_ name: String, seen: String = "customerId, email, plan, targetingKey") -> String {
                "warning: \(name) has not been seen in production contexts; seen: \(seen)"
            }
            func expectWarns(_ result: CLIResult, _ name: String, seen: String = "customerId, email, plan, targetingKey", _ path: String) {
                #expect(result.status == 0, "\(path): \(result)")
                #expect(result.stderr.contains(warning(name, seen: seen)), "\(path): \(result)")
                #expect(!result.stdout.contains("warning:"), "\(path): warnings go to stderr")
            }

            // r2: a rule while the flag is off introduces the name.
            let rule = try await server.clutch("rules", "add", "checkout", "--env", "production", "--where", "customerID in acme", "--serve", "on")
            expectWarns(rule, "customerID", "rules add")
            // r3: turning on makes the flag serve through it.
            expectWarns(try await server.clutch("on", "checkout", "--env", "production"), "customerID", "on")
            // r4: off never warns.
            let off = try await server.clutch("off", "checkout", "--env", "production")
            #expect(off.status == 0, "\(off)")
            #expect(!off.stderr.contains("warning:"), "\(off)")
            // Restoring revision 3 turns it on again, through the rule.
            expectWarns(try await server.clutch("rollback", "checkout", "--env", "production", "--to", "3"), "customerID", "rollback")
            // A scheduled change warns about what it will apply.
            let scheduled = try await server.clutch("rules", "add", "checkout", "--env", "production", "--where", "Plan in pro", "--serve", "on", "--at", "+1h")
            expectWarns(scheduled, "Plan", seen: "plan, customerId, email, targetingKey", "rules add --at")

            // An import (YAML), its dry run too.
            let file = server.directory.appendingPathComponent("warned.yaml")
            try """
                flags:
                  - key: imported
                    type: boolean
                    environments:
                      production:
                        enabled: true
                        rules:
                          - clauses:
                              - attribute: emial
                                operator: in
                                values: [a@example.com]
                            serve:
                              variant: "on"
                """.write(to: file, atomically: true, encoding: .utf8)
            expectWarns(try await server.clutch("import", file.path, "--dry-run"), "emial", seen: "email, customerId, plan, targetingKey", "import --dry-run")
            expectWarns(try await server.clutch("import", file.path), "emial", seen: "email, customerId, plan, targetingKey", "import")
            // A deleted flag restored brings its rules back.
            #expect(try await server.clutch("flags", "delete", "imported", "--force").status == 0)
            expectWarns(try await server.clutch("flags", "restore", "imported"), "emial", seen: "email, customerId, plan, targetingKey", "flags restore")

            // In protected production an editor's change opens a request: it warns as the change would.
            let store = server.application.services.store
            let (person, _) = try await store.createPerson(PersonCreate(email: "alice@example.com", role: .editor), change: ChangeInfo(actor: "test"))
            let (_, secret) = try await store.createToken(TokenCreate(name: "laptop"), personID: person.id, change: ChangeInfo(actor: "test"))
            try await server.application.services.refreshCredentials()
            #expect(try await server.clutch("envs", "protect", "production", "--approvals", "1").status == 0)
            let requested = try await server.clutch(
                "rules", "add", "checkout", "--env", "production", "--where", "region in eu", "--serve", "on", environment: ["CLUTCH_TOKEN": secret])
            #expect(requested.stdout.contains("Change request"), "\(requested)")
            expectWarns(requested, "region", "a change request")
        }
    }

    @Test("a rollout without --by is sticky on targetingKey, the one default")
    func rolloutDefaultsToTargetingKey() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("sticky")
        _ = try await server.clutch("flags", "create", key)
        let result = try await server.clutch("rollout", key, "--env", "staging", "--percent", "10", "--json")
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["flag"]?["environments"]?["staging"]?["default"]?["rollout"]?["bucketBy"] == .string(Rollout.defaultBucketBy))
        #expect(Rollout.defaultBucketBy == "targetingKey")
    }
}
