import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// `clutch prerequisites add|remove`, `flags get` and `explain` through the real binary and server.
@Suite("clutch prerequisites")
struct PrerequisiteCLITests {
    @Test("add, show, explain, refuse a cycle, remove")
    func addExplainRefuseRemove() async throws {
        let server = try await TestServer.shared.get()
        let payments = uniqueKey("payments"), checkout = uniqueKey("checkout")
        for key in [payments, checkout] {
            let created = try await server.clutch("flags", "create", key)
            try #require(created.status == 0, "\(created)")
        }

        let added = try await server.clutch("prerequisites", "add", checkout, "--requires", payments, "--env", "staging", "-m", "needs payments")
        #expect(added.status == 0, "\(added)")
        #expect(added.stdout.hasPrefix("\(checkout) now requires \(payments) to serve 'on' in staging.\n"), "\(added)")
        #expect(added.stdout.contains("requires: \(payments) serving on"), "\(added)")

        let json = try await server.clutch(
            "prerequisites", "add", checkout, "--requires", payments, "--variant", "off", "--env", "staging", "--json")
        #expect(json.status == 0, "\(json)")
        #expect(try json.json()["flag"]?["environments"]?["staging"]?["prerequisites"] == [["flag": .string(payments), "variant": "off"]],
                "the variant is replaced, not a second prerequisite added")
        _ = try await server.clutch("prerequisites", "add", checkout, "--requires", payments, "--env", "staging")

        let shown = try await server.clutch("flags", "get", checkout, "--env", "staging")
        #expect(shown.status == 0, "\(shown)")
        #expect(shown.stdout.contains("requires: \(payments) serving on (else 'off')"), "\(shown)")

        _ = try await server.clutch("on", checkout, "--env", "staging")
        let explained = try await server.clutch("explain", checkout, "--env", "staging", "--context", "targetingKey=u1")
        #expect(explained.status == 0, "\(explained)")
        #expect(explained.stdout.contains("reason:  PREREQUISITE_FAILED"), "\(explained)")
        #expect(explained.stdout.contains("because: prerequisite \(payments) is not serving 'on' (it is off in staging)"), "\(explained)")

        // payments requiring checkout closes a cycle: refused, one line, nothing written.
        for extra in [[], ["--json"]] {
            let cycle = try await server.clutch(arguments: ["prerequisites", "add", payments, "--requires", checkout, "--env", "staging"] + extra)
            #expect(cycle.status == 1, "\(cycle)")
            #expect(cycle.stderr.hasPrefix("error: "), "\(cycle)")
            #expect(cycle.stderr.contains("environments.staging.prerequisites[0].flag: cycle \(payments) → \(checkout) → \(payments)"), "\(cycle)")
            #expect(cycle.stderr.split(separator: "\n").count == 1, "one line: \(cycle)")
            #expect(cycle.stdout.isEmpty, "\(cycle)")
        }
        let untouched = try await server.clutch("flags", "get", payments, "--json")
        #expect(try untouched.json()["revision"]?.int == 1, "\(untouched)")

        let required = try await server.clutch("flags", "delete", payments, "--force")
        #expect(required.status == 1, "\(required)")
        #expect(required.stderr.contains("prerequisite of '\(checkout)' (staging)"), "\(required)")

        let removed = try await server.clutch("prerequisites", "remove", checkout, "--requires", payments, "--env", "staging")
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout.hasPrefix("\(checkout) no longer requires \(payments) in staging."), "\(removed)")
        #expect(!removed.stdout.contains("requires: "), "\(removed)")
        let again = try await server.clutch("prerequisites", "remove", checkout, "--requires", payments, "--env", "staging")
        #expect(again.status == 1, "\(again)")
        #expect(again.stderr == "error: \(checkout) does not require \(payments) in staging (it has no prerequisites there)\n", "\(again)")
    }

    @Test("a missing flag or variant is refused by the server, a flag requiring itself before sending")
    func refusals() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("needy")
        _ = try await server.clutch("flags", "create", key)
        let cases: [([String], String)] = [
            (["--requires", "no-such-flag-zz"], "flag 'no-such-flag-zz' does not exist"),
            (["--requires", key], "a flag cannot be its own prerequisite"),
        ]
        for (arguments, message) in cases {
            let result = try await server.clutch(arguments: ["prerequisites", "add", key, "--env", "staging"] + arguments)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains(message), "\(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result)")
        }
        let other = uniqueKey("other")
        _ = try await server.clutch("flags", "create", other)
        let variant = try await server.clutch("prerequisites", "add", key, "--requires", other, "--variant", "blue", "--env", "staging")
        #expect(variant.status == 1, "\(variant)")
        #expect(variant.stderr.contains("environments.staging.prerequisites[0].variant: flag '\(other)' has no variant 'blue'"), "\(variant)")
        let missingEnv = try await server.clutch("prerequisites", "add", key, "--requires", other)
        #expect(missingEnv.status == 2, "\(missingEnv)")
        #expect(try await server.clutch("flags", "get", key, "--json").json()["revision"]?.int == 1)
    }
}
