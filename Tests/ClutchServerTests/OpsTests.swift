import ClutchCore
import ClutchServer
import Foundation
import Testing

@Suite("Operations endpoints")
struct OpsTests {
    @Test func healthReadyMetrics() async throws {
        try await TestServer.with { server in
            let health = try await server.send("GET", "/healthz", as: .none)
            #expect(health.status == 200)
            #expect(health["status"] == .string("ok"))
            let ready = try await server.send("GET", "/readyz", as: .none)
            #expect(ready.status == 200)
            try await server.createFlag(#"{"key": "metered"}"#)
            let (_, key) = try await server.createKey("production")
            let evaluation = try await server.send("POST", "/ofrep/v1/evaluate/flags/metered", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
            #expect(evaluation.status == 200)
            let metrics = try await server.send("GET", "/metrics", as: .none)
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains("clutch_http_requests_total"))
            #expect(text.contains(#"route="/api/v1/flags""#))
            #expect(text.contains("clutch_http_request_duration_seconds"))
            #expect(text.contains(#"clutch_evaluations_total{flag="metered",reason="DISABLED"} 1"#))
            #expect(text.contains("clutch_streams_connected"))
            #expect(text.contains(#"clutch_store_write_duration_seconds_count{operation="create_flag"} 1"#))
        }
    }

    @Test func unknownRouteIsJSONNotFound() async throws {
        try await TestServer.with { server in
            let reply = try await server.send("GET", "/api/v1/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.errorCode == "not_found")
        }
    }
}
