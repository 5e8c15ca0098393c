import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("OFREP")
struct OFREPTests {
    @Test func typesAndExactNumberForms() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            func evaluate(_ flag: String, _ context: String = #"{"targetingKey": "u1"}"#) async throws -> Reply {
                try await server.send("POST", "/ofrep/v1/evaluate/flags/\(flag)", body: #"{"context": \#(context)}"#, as: .bearer(key))
            }
            let bool = try await evaluate("dark-mode")
            #expect(bool.status == 200)
            #expect(bool.text == #"{"key":"dark-mode","metadata":{},"reason":"STATIC","value":true,"variant":"on"}"#)

            let string = try await evaluate("banner")
            #expect(string["value"] == .string("Hello"))
            #expect(string["reason"] == .string("DEFAULT"))
            let targeted = try await evaluate("banner", #"{"targetingKey": "u2"}"#)
            #expect(targeted["value"] == .string("Bye"))
            #expect(targeted["reason"] == .string("TARGETING_MATCH"))
            #expect(targeted["variant"] == .string("bye"))

            let integer = try await evaluate("limit")
            #expect(integer.text.contains(#""value":1000,"#))

            let double = try await evaluate("ratio")
            #expect(double.text.contains(#""value":1.0,"#), "\(double.text)")

            let object = try await evaluate("config", #"{"targetingKey": "u1", "plan": "pro"}"#)
            #expect(object.text.contains(#""value":{"endpoints":["a","b"],"retries":3,"weight":2.5}"#), "\(object.text)")
            #expect(object["reason"] == .string("TARGETING_MATCH"))

            let split = try await evaluate("rollout")
            #expect(split["reason"] == .string("SPLIT"))
            #expect(split["variant"]?.stringValue != nil)

            // The same through X-API-Key.
            let viaHeader = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {}}"#, as: .apiKey(key))
            #expect(viaHeader.status == 200)
        }
    }

    /// Contexts with nested objects and arrays evaluate through OFREP as the README documents:
    /// dotted paths, array indexes, the escape for a key with a dot, and "cannot compare".
    @Test(arguments: [
        (#"{"targetingKey": "u1", "user": {"plan": "pro"}}"#, "TARGETING_MATCH", true),
        (#"{"targetingKey": "u1", "user": {"plan": "free"}}"#, "DEFAULT", false),
        (#"{"targetingKey": "u1", "user": "pro"}"#, "DEFAULT", false),
        (#"{"targetingKey": "u1", "orgs": [{"id": "acme"}]}"#, "TARGETING_MATCH", true),
        (#"{"targetingKey": "u1", "app.version": "2.1.0"}"#, "TARGETING_MATCH", true),
        (#"{"targetingKey": "u1", "app": {"version": "2.1.0"}}"#, "DEFAULT", false),
    ])
    func nestedContexts(context: String, reason: String, value: Bool) async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"""
                {"key": "nested", "environments": {"production": {"enabled": true, "rules": [
                  {"clauses": [{"attribute": "user.plan", "operator": "in", "values": ["pro"]}], "serve": {"variant": "on"}},
                  {"clauses": [{"attribute": "orgs.0.id", "operator": "in", "values": ["acme"]}], "serve": {"variant": "on"}},
                  {"clauses": [{"attribute": "app\\.version", "operator": "semver>=", "values": ["2.0.0"]}], "serve": {"variant": "on"}}],
                  "default": {"variant": "off"}}}}
                """#)
            let (_, key) = try await server.createKey("production")
            let reply = try await server.send("POST", "/ofrep/v1/evaluate/flags/nested", body: #"{"context": \#(context)}"#, as: .bearer(key))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["reason"] == .string(reason), "\(context): \(reply.text)")
            #expect(reply["value"] == .bool(value), "\(context): \(reply.text)")
        }
    }

    @Test func errorsFollowTheProtocol() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let missing = try await server.send("POST", "/ofrep/v1/evaluate/flags/nope", body: #"{"context": {}}"#, as: .bearer(key))
            #expect(missing.status == 404)
            #expect(missing["key"] == .string("nope"))
            #expect(missing["errorCode"] == .string("FLAG_NOT_FOUND"))
            #expect(missing["errorDetails"]?.stringValue != nil)

            let malformed = try await server.send("POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": "#, as: .bearer(key))
            #expect(malformed.status == 400)
            #expect(malformed["errorCode"] == .string("PARSE_ERROR"))

            let badContext = try await server.send("POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": [1]}"#, as: .bearer(key))
            #expect(badContext.status == 400)
            #expect(badContext["errorCode"] == .string("INVALID_CONTEXT"))

            let badKey = try await server.send("POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": {"targetingKey": 7}}"#, as: .bearer(key))
            #expect(badKey.status == 400)
            #expect(badKey["errorCode"] == .string("INVALID_CONTEXT"))
            #expect(badKey["key"] == .string("banner"))
        }
    }

    @Test func bulkWithETagAnd304() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let body = #"{"context": {"targetingKey": "u1", "plan": "pro"}}"#
            let first = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: body, as: .bearer(key))
            #expect(first.status == 200)
            #expect(first["flags"]?.arrayCount == OFREPFixtures.flags.count)
            #expect(first.text.contains(#"{"key":"ratio","metadata":{},"reason":"STATIC","value":1.0,"variant":"whole"}"#))
            let etag = try #require(first.headers["etag"])

            let same = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: body, as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(same.status == 304)
            #expect(same.body.isEmpty)

            try await server.send("POST", "/api/v1/flags/dark-mode/environments/production/off")
            let changed = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: body, as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(changed.status == 200)
            #expect(changed.headers["etag"] != etag)
            #expect(changed.text.contains(#"{"key":"dark-mode","metadata":{},"reason":"DISABLED","value":false,"variant":"off"}"#))

            let bad = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: "not json", as: .bearer(key))
            #expect(bad.status == 400)
            #expect(bad["errorCode"] == .string("PARSE_ERROR"))
        }
    }

    /// OpenFeature clients count like SDKs: a flag only they evaluate is not "never evaluated".
    @Test func evaluationsCountTowardUsage() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            for _ in 0..<3 {
                let reply = try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
                #expect(reply.status == 200)
            }
            let bulk = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
            #expect(bulk.status == 200)
            let counted = try await eventually {
                let flag = try await server.send("GET", "/api/v1/flags/banner")
                guard case .object(let variants)? = flag["usage.production.variants"] else { return false }
                return variants.values.reduce(0) { $0 + ($1.intValue ?? 0) } == 4
            }
            #expect(counted, "three single evaluations and one bulk")
            let stale = try await server.send("GET", "/api/v1/flags/stale?days=30")
            #expect(!stale.text.contains("\"banner\""), "\(stale.text)")
        }
    }

    @Test func environmentIsTheKeys() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, staging) = try await server.createKey("staging")
            // Enabled in production only: staging serves the off variant.
            let reply = try await server.send("POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {}}"#, as: .bearer(staging))
            #expect(reply["reason"] == .string("DISABLED"))
            #expect(reply["value"] == .bool(false))
        }
    }
}
