import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// The single-flag fast path must answer exactly as the routed handler does.
@Suite("OFREP fast path")
struct OFREPFastPathTests {
    @Test(arguments: [
        ("/ofrep/v1/evaluate/flags/dark-mode", "dark-mode"),
        ("/ofrep/v1/evaluate/flags/a.b_c~1%20", "a.b_c~1%20"),
    ])
    func takesCanonicalPaths(_ path: String, _ key: String) {
        #expect(OFREPSingleFlagPath.flagKey(inPath: path) == key)
    }

    @Test(arguments: [
        "/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/", "/ofrep/v1/evaluate/flags//x", "/ofrep/v1/evaluate/flags/x/",
        "/ofrep/v1/evaluate/flags/x/y", "/ofrep/v1/evaluate/flags/caf\u{e9}", "/ofrep/v1/evaluate/flags/a b",
        "/OFREP/v1/evaluate/flags/x", "/ofrep/v1/evaluate/flagsx", "/healthz",
    ])
    func leavesEverythingElseToTheRouter(_ path: String) {
        #expect(OFREPSingleFlagPath.flagKey(inPath: path) == nil)
    }

    @Test func sameAnswersAsTheRouterAndTheSameMetrics() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let body = #"{"context": {"targetingKey": "u1", "plan": "pro"}}"#
            for flag in ["dark-mode", "banner", "ratio", "config", "nope"] {
                let fast = try await server.send("POST", "/ofrep/v1/evaluate/flags/\(flag)", body: body, as: .bearer(key))
                // An empty path segment is not taken by the fast path; the router resolves it to the same route.
                let routed = try await server.send("POST", "/ofrep/v1//evaluate/flags/\(flag)", body: body, as: .bearer(key))
                #expect(fast.status == routed.status, "\(flag)")
                #expect(fast.text == routed.text, "\(flag)")
                #expect(fast.headers["content-type"] == routed.headers["content-type"], "\(flag)")
            }
            let anonymous = try await server.send("POST", "/ofrep/v1/evaluate/flags/banner", body: body, as: .none)
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"] == "Bearer")
            // OFREP's error shape, as on every OFREP route.
            #expect(anonymous["errorCode"] == .string("GENERAL"))
            #expect(anonymous.text == (try await server.send("POST", "/ofrep/v1//evaluate/flags/banner", body: body, as: .none)).text)
            let admin = try await server.send("POST", "/ofrep/v1/evaluate/flags/banner", body: body, as: .admin)
            #expect(admin.status == 403)
            #expect(admin["errorCode"] == .string("GENERAL"))
            #expect(admin.text == (try await server.send("POST", "/ofrep/v1//evaluate/flags/banner", body: body, as: .admin)).text)
            let tooLarge = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/banner", body: String(repeating: " ", count: APILimits.maxBodySize + 1), as: .bearer(key))
            #expect(tooLarge.status == 413)

            let metrics = try await server.metrics().text
            #expect(metrics.contains(#"clutch_http_requests_total{method="POST",route="/ofrep/v1/evaluate/flags/{key}",status="200"} 8"#), "\(metrics)")
            #expect(metrics.contains(#"clutch_http_requests_total{method="POST",route="/ofrep/v1/evaluate/flags/{key}",status="404"} 2"#))
            #expect(metrics.contains(#"clutch_http_requests_total{method="POST",route="/ofrep/v1/evaluate/flags/{key}",status="401"} 2"#), "the fast path and the routed request both")
            #expect(metrics.contains(#"clutch_http_requests_total{method="POST",route="/ofrep/v1/evaluate/flags/{key}",status="403"} 2"#))
            #expect(metrics.contains(#"clutch_http_requests_total{method="POST",route="/ofrep/v1/evaluate/flags/{key}",status="413"} 1"#))
            #expect(metrics.contains(#"clutch_evaluations_total{flag="banner",reason="DEFAULT"} 2"#))
            #expect(metrics.contains(#"clutch_evaluations_total{flag="(unknown)",reason="ERROR"} 2"#))
        }
    }

    @Test func writesValuesExactlyAsClutchCore() async throws {
        try await TestServer.with { server in
            let (_, key) = try await server.createKey("production")
            let strings: [Value] = ["plain", "quote\" back\\ slash", "lines\n\r\t", "\u{01}\u{1f}\u{7f}", "é😀", ""]
            let doubles: [Value] = [.double(1), .double(2.5), .double(1e20), .double(-0.125)]
            let cases = strings.map { ("string", $0, Value.string("other")) } + doubles.map { ("double", $0, Value.double(0)) }
            for (index, (type, value, other)) in cases.enumerated() {
                try await server.createFlag(#"""
                    {"key": "value-\#(index)", "type": "\#(type)", "offVariant": "other",
                     "variants": [{"key": "it", "value": \#(value.jsonText)}, {"key": "other", "value": \#(other.jsonText)}],
                     "environments": {"production": {"enabled": true, "default": {"variant": "it"}}}}
                    """#)
                let reply = try await server.send("POST", "/ofrep/v1/evaluate/flags/value-\(index)", body: "{}", as: .bearer(key))
                #expect(reply.status == 200)
                #expect(reply.text.hasSuffix(#","value":\#(value.jsonText),"variant":"it"}"#), "\(reply.text)")
            }
        }
    }
}
