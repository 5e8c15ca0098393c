import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The server's metrics, recorded through swift-metrics into a Prometheus registry owned by this
/// server (not the process-global one, so several servers in one test process stay apart).
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private struct RequestKey: Hashable { let method: String; let route: String; let status: Int }
    private struct TimerKey: Hashable { let method: String; let route: String }
    private struct EvaluationKey: Hashable { let flag: String; let reason: String }

    private let requestCounters = Mutex<[RequestKey: CoreMetrics.Counter]>([:])
    private let requestTimers = Mutex<[TimerKey: CoreMetrics.Timer]>([:])
    private let evaluationCounters = Mutex<[EvaluationKey: CoreMetrics.Counter]>([:])
    private let writeTimers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let streams: CoreMetrics.Gauge
    private let unknownCredentialReloads: CoreMetrics.Counter

    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        ]
        self.registry = registry
        self.factory = factory
        self.streams = CoreMetrics.Gauge(label: "clutch_streams_connected", dimensions: [], factory: factory)
        streams.record(0)
        self.unknownCredentialReloads = CoreMetrics.Counter(
            label: "clutch_unknown_credential_reloads_total", dimensions: [], factory: factory)
        unknownCredentialReloads.increment(by: 0)
    }

    /// One read of the credentials from the store because a presented credential was unknown
    /// (on a shared database; see ``CredentialReloader``).
    func recordUnknownCredentialReload() {
        unknownCredentialReloads.increment()
    }

    /// One answered request: counted by route, method and status, timed by route and method.
    func recordRequest(route: String, method: String, status: Int, nanoseconds: Int64) {
        let counterKey = RequestKey(method: method, route: route, status: status)
        let counter = requestCounters.withLock { table in
            if let existing = table[counterKey] { return existing }
            let made = CoreMetrics.Counter(
                label: "clutch_http_requests_total",
                dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory)
            table[counterKey] = made
            return made
        }
        counter.increment()
        let timerKey = TimerKey(method: method, route: route)
        let timer = requestTimers.withLock { table in
            if let existing = table[timerKey] { return existing }
            let made = CoreMetrics.Timer(
                label: "clutch_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
                factory: factory)
            table[timerKey] = made
            return made
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// One flag evaluation, by flag and reason.
    func recordEvaluation(flag: String, reason: String) {
        let key = EvaluationKey(flag: flag, reason: reason)
        let counter = evaluationCounters.withLock { table in
            if let existing = table[key] { return existing }
            let made = CoreMetrics.Counter(
                label: "clutch_evaluations_total", dimensions: [("flag", flag), ("reason", reason)], factory: factory)
            table[key] = made
            return made
        }
        counter.increment()
    }

    /// The number of open streams.
    func setStreams(_ count: Int) {
        streams.record(count)
    }

    /// Times a store write (`operation` names it: `update_flag`, `kill`, …).
    func timeWrite<T>(_ operation: String, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            let timer = writeTimers.withLock { table in
                if let existing = table[operation] { return existing }
                let made = CoreMetrics.Timer(
                    label: "clutch_store_write_duration_seconds", dimensions: [("operation", operation)], factory: factory)
                table[operation] = made
                return made
            }
            timer.recordNanoseconds(elapsed.nanoseconds)
        }
        return try await body()
    }

    /// Prometheus text exposition.
    func render() -> String {
        registry.emitToString()
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product + attoseconds / 1_000_000_000
    }
}
