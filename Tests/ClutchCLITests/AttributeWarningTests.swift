import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// A change naming an attribute that no context has carried is made, and `clutch` says so on
/// stderr with the closest seen name first; the sticky attribute is `targetingKey` unless told.
@Suite("clutch attribute warnings and the sticky default")
struct AttributeWarningTests {
    @Test("a rollout by customerID when only customerId was seen prints the warning on stderr and exits 0")
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
