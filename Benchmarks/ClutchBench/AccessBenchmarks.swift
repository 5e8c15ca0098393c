import ClutchAPI
import ClutchServer
import Foundation
import TestSupport

/// The admin API's latency with authorization (issue 25: every admin route asks the policy)
/// against a baseline measured in the same run: the same request without the authorization
/// step, i.e. its measured round trip less what that step costs per request, measured in-process
/// (``AdminAccess/refusal(method:path:parameter:subject:)``, which is the whole of what the access
/// middleware adds: a table lookup and the policy). The request is `GET /api/v1/flags/{key}`,
/// sequential over loopback, with the bootstrap token (a service token with role owner).
enum AccessBenchmarks {
    static let rounds = 2_000
    static let checks = 1_000_000

    static func run() async {
        await BenchServer.withQuietServer(figure: "admin_api_authorization", run)
    }

    private static func run(_ server: BenchServer) async throws {
        try await server.admin("POST", "api/v1/flags", #"{"key": "bench-access"}"#)
        for _ in 0..<100 { try await server.admin("GET", "api/v1/flags/bench-access") }  // warm up
        var samples: [Double] = []
        samples.reserveCapacity(rounds)
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try await server.admin("GET", "api/v1/flags/bench-access")
            samples.append(Bench.seconds(ContinuousClock.now - start) * 1_000_000)
        }
        let latency = Bench.percentile(samples, 0.5)

        let subject = AccessSubject(name: "admin (service token)", grants: [AccessGrant(role: .owner)])
        var refused = 0
        let start = ContinuousClock.now
        for _ in 0..<checks {
            let refusal = try AdminAccess.refusal(method: "GET", path: "/api/v1/flags/{key}", parameter: { _ in "bench-access" }, subject: subject)
            if refusal != nil { refused += 1 }
        }
        let cost = Bench.seconds(ContinuousClock.now - start) * 1_000_000 / Double(checks)
        guard refused == 0 else { throw TestFailure("the owner was refused") }

        Bench.report("admin_api_get_flag_p50", latency, "us")
        Bench.report("admin_api_authorization_cost", cost * 1000, "ns")
        Bench.report("admin_api_get_flag_without_authorization_p50", latency - cost, "us")
        Bench.report("admin_api_authorized_vs_unauthorized_ratio", latency / (latency - cost), "x")
    }
}
