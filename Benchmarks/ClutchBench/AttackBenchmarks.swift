import ClutchStore
import Foundation
import Logging
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The kill switch while SDK keys flood the server (what the attack tests check without timing
/// it, since a bound there fails on a loaded machine):
/// - `attack_kill_p50|max`: `POST …/kill`, over 20 kills (each followed by turning the flag on
///   again), while 8 clients send usage reports of the most entries allowed, every one an
///   invented variant, as fast as the server answers them;
/// - `attack_healthz_max`: `GET /healthz` after each kill, during the same flood.
enum AttackBenchmarks {
    static func run() async {
        do {
            try await measure()
        } catch {
            print("attack: failed (\(error))")
        }
    }

    private static func measure() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let server = try await BenchServer.start(heartbeatInterval: .seconds(15), logger: logger)
        do {
            try await flood(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private static func flood(_ server: BenchServer) async throws {
        try await server.admin(
            "POST", "api/v1/flags", #"{"key": "new-checkout", "type": "boolean", "environments": {"production": {"enabled": true}}}"#)
        let key = try await server.sdkKey()
        let invented = (0..<UsageLimits.maxEntries).map { #"{"flag": "new-checkout", "variant": "v\#($0)", "count": 1}"# }
        let body = Data(#"{"counts": [\#(invented.joined(separator: ","))]}"#.utf8)
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        var report = URLRequest(url: server.base.appendingPathComponent("sdk/v1/usage"))
        report.httpMethod = "POST"
        report.httpBody = body
        report.setValue("application/json", forHTTPHeaderField: "Content-Type")
        report.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let attackers = (0..<8).map { _ in
            Task { [report] in
                var sent = 0
                while !Task.isCancelled {
                    _ = try? await session.data(for: report)
                    sent += 1
                }
                return sent
            }
        }
        var kills: [Double] = []
        var health: [Double] = []
        let healthz = URLRequest(url: server.base.appendingPathComponent("healthz"))
        for _ in 0..<20 {
            let start = ContinuousClock.now
            try await server.admin("POST", "api/v1/flags/new-checkout/kill", "{}")
            kills.append(milliseconds(ContinuousClock.now - start))
            let probe = ContinuousClock.now
            let (_, response) = try await session.data(for: healthz)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestFailure("/healthz failed during the flood") }
            health.append(milliseconds(ContinuousClock.now - probe))
            try await server.admin("POST", "api/v1/flags/new-checkout/environments/production/on")
        }
        for attacker in attackers { attacker.cancel() }
        var reports = 0
        for attacker in attackers { reports += await attacker.value }
        Bench.report("attack_kill_p50", Bench.percentile(kills, 0.5), "ms")
        Bench.report("attack_kill_max", kills.max() ?? .nan, "ms")
        Bench.report("attack_healthz_max", health.max() ?? .nan, "ms")
        print("attack_flood_reports: \(reports) reports")
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Bench.seconds(duration) * 1000
    }
}
