import ClutchCore
import Foundation
import ReplicaDrillSupport
import TestSupport

/// `clutch-bench approvals`: how long a reviewed change takes to reach 1,000 SDK streams. A real
/// server in-process (SQLite) with production protected (1 approval; self-approval allowed, so
/// that the bench's one admin token can author, approve and apply), 1,000 server-side SDK
/// streams (`GET /sdk/v1/stream` with a server key, over AsyncHTTPClient), and ``requests``
/// requests, each opened (not timed), then approved and applied — two calls, since an approved
/// request without `at` applies only when someone applies it — until every stream has the
/// flag's event. Between requests the kill switch turns the flag off again (not timed).
///
/// - `approval_apply_to_1000_streams_p50/p99`: from sending the (last, here only) approval,
///   through the apply call, to each stream's event.
/// - `apply_to_1000_streams_p50/p99`: from sending the apply to each stream's event.
enum ApprovalBenchmarks {
    static let streams = 1_000
    static let requests = 20

    static func run() async {
        do {
            try ReplicaBenchmarks.raiseOpenFileLimit(to: 2 * streams + 256)
        } catch {
            print("approval_apply_to_1000_streams: failed (\(error))")
            return
        }
        await BenchServer.withQuietServer(figure: "approval_apply_to_1000_streams") { server in
            try await measure(server)
        }
    }

    private static func measure(_ server: BenchServer) async throws {
        try await server.admin("POST", "api/v1/flags", #"{"key": "launch"}"#)
        try await server.admin(
            "PATCH", "api/v1/environments/production", #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": true}}"#)
        let key = try await server.sdkKey()
        let client = DrillHTTP.makeClient(connections: streams + 64)
        var watchers: [EventStreamWatcher] = []
        defer { watchers.forEach { $0.close() } }
        var fromApproval: [Double] = [], fromApply: [Double] = []
        do {
            // Opened 50 at a time, each batch connected before the next: a thousand connects at once
            // outrun the client's connect timeout on a busy machine.
            while watchers.count < streams {
                let batch = (0..<min(50, streams - watchers.count)).map { _ in
                    EventStreamWatcher(client: client, url: server.base.absoluteString, key: key)
                }
                watchers += batch
                for watcher in batch { try await watcher.waitConnected() }
            }
            for _ in 0..<requests {
                let opened = try ClutchJSON.decode(Value.self, from: try await server.admin(
                    "POST", "api/v1/change-requests", #"{"flag": "launch", "environment": "production", "instructions": [{"kind": "turnOn"}]}"#))
                guard case .object(let request) = opened, case .integer(let id)? = request["id"] else {
                    throw TestFailure("no change request id in \(opened)")
                }
                let before = watchers.map { $0.flagEvents.count }
                let approved = ContinuousClock.now
                try await server.admin("POST", "api/v1/change-requests/\(id)/reviews", #"{"verdict": "approve"}"#)
                let applying = ContinuousClock.now
                try await server.admin("POST", "api/v1/change-requests/\(id)/apply")
                try await waitForEveryStream(watchers, after: before)
                for (watcher, count) in zip(watchers, before) {
                    let seen = watcher.flagEvents[count]
                    fromApproval.append((seen - approved).milliseconds)
                    fromApply.append((seen - applying).milliseconds)
                }
                // Off again at once (the kill switch never waits), seen everywhere before the next request.
                let off = watchers.map { $0.flagEvents.count }
                try await server.admin("POST", "api/v1/flags/launch/environments/production/off")
                try await waitForEveryStream(watchers, after: off)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        let approval = Percentiles(fromApproval), apply = Percentiles(fromApply)
        Bench.report("approval_apply_to_1000_streams_p50", approval.value(50), "ms")
        Bench.report("approval_apply_to_1000_streams_p99", approval.value(99), "ms")
        Bench.report("apply_to_1000_streams_p50", apply.value(50), "ms")
        Bench.report("apply_to_1000_streams_p99", apply.value(99), "ms")
    }

    /// Waits (bounded) until every stream has a `flag` event after the `before` counts it had.
    private static func waitForEveryStream(_ watchers: [EventStreamWatcher], after before: [Int]) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while zip(watchers, before).contains(where: { $0.flagEvents.count <= $1 }) {
            if let failed = watchers.first(where: { $0.failure != nil }) { throw TestFailure("a stream failed: \(failed.failure ?? "")") }
            guard ContinuousClock.now < deadline else { throw TestFailure("the change did not reach every stream within 30 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
