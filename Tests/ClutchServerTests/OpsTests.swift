import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
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
            let metrics = try await server.metrics()
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

    /// The metrics name every flag key with its traffic: the main listener, which SDK keys and
    /// browsers reach, does not serve them without the metrics token; the metrics listener does.
    @Test func metricsAreServedOnTheirOwnListenerAndNotOnTheMainOne() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "secret-project"}"#)
            let main = try await server.send("GET", "/metrics", as: .none)
            #expect(main.status == 404, "\(main.text)")
            #expect(!main.text.contains("secret-project"))
            #expect(try await server.send("GET", "/metrics", as: .admin).status == 404, "an admin token is not the metrics token")
            #expect(server.metricsPort != server.port)
            let own = try await server.metrics()
            #expect(own.status == 200)
            #expect(own.text.contains(#"clutch_store_write_duration_seconds_count{operation="create_flag"} 1"#), "\(own.text.prefix(300))")
            // That listener serves nothing else.
            #expect(try await server.send("GET", "/api/v1/flags", data: nil, port: server.metricsPort).status == 404)
        }
    }

    /// With `--metrics-token` the metrics are served to its bearer only, on both listeners.
    @Test func withAMetricsTokenOnlyItsBearerReadsTheMetrics() async throws {
        try await TestServer.with(configure: { $0.metricsToken = TestServer.metricsToken }) { server in
            for port in [server.port, server.metricsPort] {
                let none = try await server.send("GET", "/metrics", data: nil, as: .none, port: port)
                #expect(none.status == 401, "\(none.text)")
                #expect(none.errorCode == "unauthorized")
                let admin = try await server.send("GET", "/metrics", data: nil, as: .admin, port: port)
                #expect(admin.status == 401, "\(admin.text)")
                let wrong = try await server.send("GET", "/metrics", data: nil, as: .bearer(TestServer.metricsToken + "x"), port: port)
                #expect(wrong.status == 401)
                let right = try await server.send("GET", "/metrics", data: nil, as: .bearer(TestServer.metricsToken), port: port)
                #expect(right.status == 200)
                #expect(right.text.contains("clutch_http_requests_total"))
            }
        }
    }

    @Test func aShortMetricsTokenIsRefused() async throws {
        let error = await #expect(throws: ServerConfigurationError.self) {
            try await TestServer.start(configure: { $0.metricsToken = "short" })
        }
        #expect(error?.description.contains("--metrics-token") == true, "\(String(describing: error))")
        #expect(error?.description.contains("short") == false)
    }

    @Test func unknownRouteIsJSONNotFound() async throws {
        try await TestServer.with { server in
            let reply = try await server.send("GET", "/api/v1/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.errorCode == "not_found")
        }
    }
}
