import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// OFREP's event streams (ADR-0008), its error shape on every OFREP route, and CORS for web apps.
@Suite("OFREP event streams, errors and CORS")
struct OFREPEventStreamTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ofrep_events_client.py").path
    }

    /// A provider written from the ADR's text: the bulk answer points it to the stream; on
    /// connecting it hears one message (its conditional re-fetch is a 304), and after a change
    /// one more, whose re-fetch carries `flagConfigEtag` and gets the new value.
    @Test(
        .enabled(if: pythonCanImport("requests"), "python3 with requests (openfeature-provider-ofrep's dependency) is not installed"),
        .timeLimit(.minutes(1)))
    func aProviderWrittenFromTheADRHearsOfChanges() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let ready = server.directory.appendingPathComponent("provider-ready").path
            async let output = PythonOFREPTests.run(["python3", Self.script, "http://127.0.0.1:\(server.port)", key, "2", ready])
            // Change the flag only once the provider holds its stream and its first re-fetch
            // (on connecting) is answered: the provider says so by creating `ready`.
            let connected = try await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: ready) }
            #expect(connected, "the provider never re-fetched after connecting to the event stream")
            #expect(try await server.send("POST", "/api/v1/flags/dark-mode/environments/production/off").status == 200)
            let results = try JSONDecoder().decode(Value.self, from: Data(try await output.utf8))

            #expect(results.at("eventStreams[0].type") == .string("sse"))
            #expect(results.at("eventStreams[0].inactivityDelaySec") == .integer(120))
            let url = results.at("eventStreams[0].url")?.stringValue ?? ""
            #expect(url.hasPrefix("http://127.0.0.1:\(server.port)/ofrep/v1/events?token="), "\(url)")
            #expect(!url.contains(key), "the URL must not carry the SDK key itself")
            #expect(results.at("refetches[0].status") == .integer(304))
            #expect(results.at("refetches[0].flags.dark-mode") == .bool(true))
            #expect(results.at("refetches[1].status") == .integer(200))
            #expect(results.at("refetches[1].flags.dark-mode") == .bool(false))
            let before = results.at("refetches[0].etag")?.stringValue ?? ""
            let after = results.at("refetches[1].etag")?.stringValue ?? ""
            #expect(before.hasPrefix("\"production-") && after.hasPrefix("\"production-") && before != after, "\(before) → \(after)")
        }
    }

    @Test func errorsOnOFREPRoutesHaveTheOFREPShape() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (id, key) = try await server.createKey("production")
            let cases: [(String, String, TestServer.Credential, Int)] = [
                ("POST", "/ofrep/v1/evaluate/flags/dark-mode", .none, 401),
                ("POST", "/ofrep/v1/evaluate/flags/dark-mode", .admin, 403),
                ("POST", "/ofrep/v1/evaluate/flags", .none, 401),
                ("POST", "/ofrep/v1/evaluate/flags", .bearer("clutch_sdk_made-up"), 401),
                ("GET", "/ofrep/v1/events?token=k_nothing.forged", .none, 401),
                ("GET", "/ofrep/v1/events", .admin, 403),
            ]
            for (method, path, credential, status) in cases {
                let reply = try await server.send(method, path, body: method == "POST" ? #"{"context": {}}"# : nil, as: credential)
                #expect(reply.status == status, "\(method) \(path): \(reply.status) \(reply.text)")
                #expect(reply["errorCode"] == .string("GENERAL"), "\(method) \(path): \(reply.text)")
                #expect(reply["errorDetails"]?.stringValue?.isEmpty == false)
                #expect(reply["error"] == nil)
            }
            // The token in the bulk answer stops working with the key.
            let bulk = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: #"{"context": {}}"#, as: .bearer(key))
            let url = try #require(bulk["eventStreams[0].url"]?.stringValue)
            let token = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "token" }?.value)
            #expect(token.hasPrefix(id + "."))
            #expect(try await server.send("DELETE", "/api/v1/keys/\(id)").status == 204)
            let revoked = try await server.send("GET", "/ofrep/v1/events?token=\(token)", as: .none)
            #expect(revoked.status == 401)
        }
    }

    /// A re-fetch naming a version the server has not reached waits for it only briefly, and one
    /// naming a made-up far-future version is answered at once.
    @Test func aMadeUpFlagConfigEtagDoesNotHoldTheRequestWhileANearOneWaitsOnTheServersClock() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            @Sendable func evaluate(_ version: Int64) async throws -> Reply {
                try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags?flagConfigEtag=%22production-\(version)%22", body: #"{"context": {}}"#,
                    as: .bearer(key))
            }
            // The server's clock stands still: had this request waited on it, no answer would come.
            #expect(try await evaluate(999_999_999).status == 200)
            // A version just ahead of the loaded one is waited for, on the server's clock: the
            // request sleeps there until a second has passed (or the version is loaded).
            let environments = try await server.send("GET", "/api/v1/environments")
            let version = try #require(
                environments["environments"]?.arrayValue?.first { $0.at("key") == .string("production") }?.at("snapshotVersion")?.intValue)
            let asleep = clock.sleeperCount
            let held = Task { try await evaluate(version + 1) }
            #expect(try await eventually(timeout: .seconds(60)) { clock.sleeperCount > asleep }, "the request never waited on the clock")
            clock.advance(by: .seconds(1))
            #expect(try await held.value.status == 200)
        }
    }

    @Test(arguments: [
        // (configured origins, request origin, path, expected Access-Control-Allow-Origin)
        ([String](), "https://app.example.com", "/ofrep/v1/evaluate/flags", String?.none),
        (["https://app.example.com"], "https://app.example.com", "/ofrep/v1/evaluate/flags", "https://app.example.com"),
        (["https://app.example.com"], "https://evil.example.com", "/ofrep/v1/evaluate/flags", nil),
        (["https://app.example.com"], "https://app.example.com", "/api/v1/flags", nil),
        (["*"], "https://anyone.example.com", "/sdk/v1/flags", "*"),
    ])
    func cors(origins: [String], origin: String, path: String, allowed: String?) async throws {
        try await TestServer.with(configure: { $0.corsOrigins = origins }) { server in
            let preflight = try await server.send(
                "OPTIONS", path, as: .none,
                headers: ["Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"])
            #expect(preflight.headers["access-control-allow-origin"] == allowed)
            if allowed != nil {
                #expect(preflight.status == 204)
                #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
                #expect(preflight.headers["access-control-allow-methods"]?.contains("POST") == true)
            }
            let (_, key) = try await server.createKey("production")
            let credential: TestServer.Credential = path.hasPrefix("/api/") ? .admin : .bearer(key)
            let method = path.hasPrefix("/ofrep/") ? "POST" : "GET"
            let actual = try await server.send(
                method, path, body: method == "POST" ? #"{"context": {}}"# : nil, as: credential, headers: ["Origin": origin])
            #expect(actual.status == 200)
            #expect(actual.headers["access-control-allow-origin"] == allowed)
            if allowed != nil { #expect(actual.headers["access-control-expose-headers"]?.contains("ETag") == true) }
        }
    }
}
