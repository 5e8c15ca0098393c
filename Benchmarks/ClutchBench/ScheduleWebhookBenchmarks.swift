import ClutchCore
import Foundation
import Hummingbird
import Logging
import Synchronization
import TestSupport

/// Scheduled changes and webhooks against the in-process server, observed by a real local
/// webhook receiver:
/// - `schedule_fire_delay_p50|max`: from each schedule's due time to the commit of its change
///   (the `createdAt` of its `flag.changed` event), over 50 schedules due 40 ms apart.
/// - `webhook_delivery_latency_p50|p99`: from sending a change to the receiver holding its
///   event, over 200 changes made one after another.
enum ScheduleWebhookBenchmarks {
    static func run() async {
        do {
            try await measure()
        } catch {
            print("schedule_webhook: failed (\(error))")
        }
    }

    /// What the receiver got: event body and when, by `flag@revision`.
    final class Receipts: Sendable {
        let received = Mutex<[String: (event: Value, at: Date)]>([:])

        func record(_ data: Data) {
            let at = Date()
            guard let event = try? ClutchJSON.decode(Value.self, from: data),
                  case .string(let flag)? = field(event, "data", "flag"), case .integer(let revision)? = field(event, "data", "revision")
            else { return }
            received.withLock { $0["\(flag)@\(revision)"] = (event, at) }
        }

        func get(_ key: String) -> (event: Value, at: Date)? { received.withLock { $0[key] } }
    }

    private static func measure() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let server = try await BenchServer.start(heartbeatInterval: .seconds(15), logger: logger)
        let receipts = Receipts()
        // Cancelling the receiver at the end logs its open connections' cancellation: not news.
        var receiverLogger = logger
        receiverLogger.logLevel = .critical
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            receipts.record(Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            return .noContent
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let receiver = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: receiverLogger)
        let receiverTask = Task { try await receiver.runService() }
        defer { receiverTask.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the receiver did not start") }
        try await server.admin(
            "POST", "api/v1/webhooks",
            #"{"url": "http://127.0.0.1:\#(port)/hook", "events": ["flag.changed"], "secret": "bench-secret-0123456789"}"#)

        // Firing delay.
        let schedules = 50
        let start = Date().addingTimeInterval(2)
        var due: [String: Date] = [:]
        for index in 0..<schedules {
            let key = "scheduled-\(index)"
            try await server.admin("POST", "api/v1/flags", #"{"key": "\#(key)"}"#)
            let at = start.addingTimeInterval(Double(index) * 0.04)
            due[key] = at
            try await server.admin(
                "POST", "api/v1/schedules",
                #"{"flag": "\#(key)", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "\#(Timestamp.format(at))"}"#)
        }
        guard try await waitFor(due.keys.map { "\($0)@2" }, receipts) else { throw TestFailure("schedules did not all fire") }
        let delays = due.compactMap { key, at -> Double? in
            guard let event = receipts.get("\(key)@2")?.event, case .string(let text)? = field(event, "createdAt"), let fired = Timestamp.parse(text) else { return nil }
            return fired.timeIntervalSince(at) * 1000
        }
        Bench.report("schedule_fire_delay_p50", Bench.percentile(delays, 0.5), "ms")
        Bench.report("schedule_fire_delay_max", delays.max() ?? .nan, "ms")

        // Delivery latency.
        var latencies: [Double] = []
        for index in 0..<200 {
            let key = "hooked-\(index % 20)"
            if index < 20 { try await server.admin("POST", "api/v1/flags", #"{"key": "\#(key)"}"#) }
            let revision = 2 + index / 20
            let sent = Date()
            try await server.admin("POST", "api/v1/flags/\(key)/environments/production/\(index / 20 % 2 == 0 ? "on" : "off")")
            guard try await waitFor(["\(key)@\(revision)"], receipts), let receipt = receipts.get("\(key)@\(revision)") else {
                throw TestFailure("no delivery for \(key)@\(revision)")
            }
            latencies.append(receipt.at.timeIntervalSince(sent) * 1000)
        }
        Bench.report("webhook_delivery_latency_p50", Bench.percentile(latencies, 0.5), "ms")
        Bench.report("webhook_delivery_latency_p99", Bench.percentile(latencies, 0.99), "ms")
        await server.stop()
    }

    /// The value at `path` in nested objects.
    static func field(_ value: Value, _ path: String...) -> Value? {
        var current: Value? = value
        for name in path {
            guard case .object(let object)? = current else { return nil }
            current = object[name]
        }
        return current
    }

    private static func waitFor(_ keys: [String], _ receipts: Receipts) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if keys.allSatisfy({ receipts.get($0) != nil }) { return true }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }
}
