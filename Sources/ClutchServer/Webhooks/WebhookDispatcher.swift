import AsyncHTTPClient
import ClutchStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Sends the webhook outbox's pending deliveries (a `Service` of the server's group).
///
/// It sleeps until the next delivery is due and is woken when a commit queues one. Attempts
/// run concurrently, at most `concurrency` in all and `concurrencyPerWebhook` per webhook, each
/// bounded by `requestTimeout`, so a slow or hanging receiver delays only its own deliveries.
/// A 2xx answer delivers; anything else (or no answer) is retried with backoff (``RetryPolicy``)
/// until the retry window has passed. Delivery is at least once: an attempt cut short by a
/// shutdown is made again after the restart, so receivers deduplicate by the event's `id`.
///
/// Several replicas on one database each run a dispatcher: each delivery is claimed
/// (``WebhookStoring/claimDelivery(_:now:lease:)``) before it is sent, so exactly one of them
/// sends it. The claim is a short lease (``WebhookSettings/claimLease``) renewed while the
/// attempt runs; when its replica dies, the lease ends within seconds and another replica sends it.
final class WebhookDispatcher: Service, Sendable {
    private let store: any ClutchStoring
    private let settings: WebhookSettings
    private let policy: RetryPolicy
    private let logger: Logger
    private let wakeup = Wakeup()
    /// Delivery id → webhook id, for attempts in flight.
    private let inFlight = Mutex<[Int64: String]>([:])
    /// Which failures have been logged (once per webhook and backoff step).
    private let failures = WebhookFailureLog()
    private let longestSleep: Duration
    /// The server's clock: when a delivery is due, its lease, its backoff, and the sleeps between.
    private let clock: any ServerClock
    /// Each look at the outbox, counted (a test on a ``TestClock`` waits for one).
    let turns = RunnerTurns()

    /// Attempts running now.
    var attemptsInFlight: Int { inFlight.withLock { $0.count } }
    /// How long a claimed delivery stays ours without renewal: short, so that a delivery claimed
    /// by a replica that died is soon sent by another; an attempt that takes longer renews it.
    private var lease: Duration { settings.claimLease }

    /// `longestSleep` bounds how long a delivery queued on another replica may wait for this one
    /// to look, should its wake-up notification be lost.
    init(
        store: any ClutchStoring, settings: WebhookSettings, logger: Logger, longestSleep: Duration = .seconds(60),
        clock: any ServerClock = SystemClock()
    ) {
        self.store = store
        self.clock = clock
        self.longestSleep = longestSleep
        self.settings = settings
        policy = RetryPolicy(settings: settings)
        self.logger = logger
        store.onDeliveryQueued { [wakeup] in wakeup.signal() }
    }

    /// The HTTP client's settings: no redirects (a redirect could lead to an internal address
    /// that was never checked), every attempt bounded by `requestTimeout`.
    private var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(settings.requestTimeout.nanoseconds), read: .nanoseconds(settings.requestTimeout.nanoseconds)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.concurrencyPerWebhook
        // A refused connection fails the attempt at once (the retry policy tries again later)
        // rather than holding it, retried, until the request timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var pruned = Date.distantPast
                while !Task.isCancelled {
                    self.turns.begin()
                    var sleep = self.longestSleep
                    do {
                        sleep = try await self.startDue(http: http, group: &group)
                        let now = self.clock.now()
                        if now.timeIntervalSince(pruned) > 3600 {
                            try await self.store.pruneDeliveries(finishedBefore: now.addingTimeInterval(-7 * 86400))
                            pruned = now
                        }
                    } catch {
                        // Stopping: the read was cut short, nothing is wrong with the outbox.
                        if Task.isCancelled { break }
                        self.logger.error("webhooks: could not read the outbox", metadata: ["error": "\(error)"])
                        sleep = .seconds(1)
                    }
                    // Fixed before the dispatcher says it sleeps: a test's advance after that always reaches it.
                    let deadline = self.clock.instant().advanced(by: sleep)
                    self.turns.end()
                    self.turns.sleeping()
                    await self.wakeup.wait(until: deadline, on: self.clock)
                }
            }
        }
        // Attempts cut short by the shutdown were not recorded: hand their deliveries back now
        // rather than when the leases end, to another replica or to this server restarted.
        // In a task of its own: the shutdown may have cancelled this one, and the claims must go back.
        let store = self.store
        do {
            try await Task { try await store.releaseDeliveryClaims() }.value
        } catch {
            logger.warning("webhooks: could not hand back claimed deliveries", metadata: ["error": "\(error)"])
        }
        try await http.shutdown()
    }

    /// Starts the due deliveries there is room for; answers how long to sleep at most.
    private func startDue(http: HTTPClient, group: inout DiscardingTaskGroup) async throws -> Duration {
        let now = clock.now()
        let busy = inFlight.withLock { $0 }
        let room = settings.concurrency - busy.count
        if room > 0 {
            var perWebhook: [String: Int] = [:]
            for webhook in busy.values { perWebhook[webhook, default: 0] += 1 }
            let due = try await store.dueDeliveries(now: now, limit: max(room * 4, 32), excluding: Set(busy.keys))
            var started = 0
            for candidate in due where started < room && perWebhook[candidate.webhook, default: 0] < settings.concurrencyPerWebhook {
                // Another replica may have taken it since we read it: then it is theirs to send.
                guard let delivery = try await store.claimDelivery(candidate.id, now: clock.now(), lease: lease) else { continue }
                perWebhook[delivery.webhook, default: 0] += 1
                started += 1
                inFlight.withLock { $0[delivery.id] = delivery.webhook }
                group.addTask {
                    await self.attemptHoldingLease(delivery, http: http)
                    self.inFlight.withLock { _ = $0.removeValue(forKey: delivery.id) }
                    self.wakeup.signal()
                }
            }
        }
        let waiting = Set(inFlight.withLock { $0.keys })
        guard let next = try await store.nextDeliveryDue(excluding: waiting) else { return longestSleep }
        // Due at `now` and not started: no room for it; an attempt that ends wakes us. Due since
        // `now` (while we looked): go again at once.
        if next <= now { return longestSleep }
        let seconds = max(0, next.timeIntervalSince(clock.now()))
        return min(.milliseconds(Int64(seconds * 1000) + 1), longestSleep)
    }

    /// One attempt, with the delivery's lease renewed every third of it until it is recorded.
    private func attemptHoldingLease(_ delivery: PendingDelivery, http: HTTPClient) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.renewLease(of: delivery.id) }
            await attempt(delivery, http: http)
            group.cancelAll()
        }
    }

    /// Renews the lease on delivery `id` until cancelled. A renewal that fails (database away) is
    /// tried again at the next turn; a lease found lost is not taken back: it is another replica's.
    private func renewLease(of id: Int64) async {
        let every = lease / 3
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: every)
                guard try await store.renewDeliveryClaim(id, now: clock.now(), lease: lease) else {
                    logger.warning("webhooks: a delivery's lease ended while its attempt ran", metadata: ["delivery": "\(id)"])
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("webhooks: could not renew a delivery's lease", metadata: ["delivery": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// One attempt, recorded with its outcome.
    ///
    /// The URL's host is resolved here, once, and every address checked against
    /// ``WebhookSettings/targets``; the connection then goes to the checked address (the client's
    /// DNS override, with the original `Host` header and TLS server name), so a name cannot
    /// resolve to a public address for the check and to an internal one for the connection.
    /// What is recorded when there is no answer is one of a few generic texts
    /// (``DeliveryFailure``): the delivery list must not tell a closed port from an open one.
    private func attempt(_ delivery: PendingDelivery, http: HTTPClient) async {
        // The attempt's duration is measured in real time; when it was made is the server's time.
        let stopwatch = ContinuousClock()
        let started = stopwatch.now
        let at = clock.now()
        var statusCode: Int?
        var failure: DeliveryFailure?
        do {
            let target = try await WebhookTarget.resolve(delivery.url, policy: settings.targets)
            var request = HTTPClientRequest(url: delivery.url)
            request.method = .POST
            let body = Data(delivery.body.utf8)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Clutch-Webhooks/1")
            request.headers.add(name: "Clutch-Event-Id", value: delivery.eventId)
            request.headers.add(name: "Clutch-Event-Type", value: delivery.type)
            request.headers.add(
                name: WebhookSignature.header,
                value: WebhookSignature.sign(body: body, secret: delivery.secret, timestamp: Int64(at.timeIntervalSince1970)))
            request.body = .bytes(ByteBuffer(bytes: body))
            if target.isLiteral {
                statusCode = try await send(request, with: http)
            } else {
                // A client of its own whose only lookup is the checked address; the shared one
                // would resolve the name again.
                var configuration = clientConfiguration
                configuration.dnsOverride = [target.host: "\(target.address)"]
                let pinned = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                do {
                    statusCode = try await send(request, with: pinned)
                } catch {
                    try? await pinned.shutdown()
                    throw error
                }
                try? await pinned.shutdown()
            }
        } catch {
            failure = DeliveryFailure(error)
        }
        if statusCode == nil, Task.isCancelled {
            // Cut short by the shutdown: not an attempt of the receiver's. The claim is handed back
            // as the dispatcher stops, and the delivery is sent again (at least once).
            logger.debug("webhooks: an attempt was cut short by the shutdown", metadata: ["delivery": "\(delivery.id)"])
            return
        }
        let elapsed = stopwatch.now - started
        let result: DeliveryResult
        if let statusCode, (200..<300).contains(statusCode) {
            result = .delivered
            failures.delivered(delivery, logger: logger)
        } else {
            result = policy.afterFailure(
                attempts: delivery.attempts + 1, createdAt: delivery.createdAt, now: clock.now(), random: Double.random(in: 0...1))
            failures.failed(
                delivery, failure: statusCode.map { "HTTP \($0)" } ?? failure?.rawValue ?? "", result: result, logger: logger)
        }
        // Recorded even while the server stops (an answer that came is not lost): the write runs
        // in a task the shutdown does not cancel, and the dispatcher waits for it.
        let store = self.store
        let (code, text) = (statusCode, failure?.rawValue)
        let recorded = Task {
            try await store.recordAttempt(delivery: delivery.id, at: at, statusCode: code, error: text, duration: elapsed, result: result)
        }
        do {
            try await recorded.value
        } catch {
            logger.error("webhooks: could not record an attempt", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    /// Sends `request` and reads (and drops) a bounded answer, so the connection can be reused.
    private func send(_ request: HTTPClientRequest, with http: HTTPClient) async throws -> Int {
        let response = try await http.execute(request, timeout: .nanoseconds(settings.requestTimeout.nanoseconds))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}

/// What an attempt without an answer records: a few generic texts, never the system's own
/// ("Connection refused", "No route to host"), which would tell an admin which ports and hosts
/// exist behind the server.
enum DeliveryFailure: String, Sendable {
    case refused = "refused: private address"
    case unresolvable = "could not resolve host"
    case timedOut = "timed out"
    case connectionFailed = "connection failed"

    init(_ error: any Error) {
        let timeouts: [HTTPClientError] = [.connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout]
        switch error {
        case let refusal as WebhookTarget.Refusal:
            self = refusal == .forbidden ? .refused : .unresolvable
        case let error as HTTPClientError where timeouts.contains(error):
            self = .timedOut
        case let error as ChannelError:
            if case .connectTimeout = error { self = .timedOut } else { self = .connectionFailed }
        default:
            self = .connectionFailed
        }
    }
}

/// Logs a failing webhook once per backoff step, not once per attempt: a receiver that is down
/// fails every delivery queued for it, and a warning for each attempt of each would bury the log
/// (one unresolvable host once wrote 198 in 20 minutes). A webhook's failures are logged again
/// when one of its deliveries reaches an attempt number not logged yet, or gives up, and once
/// more when it delivers again.
final class WebhookFailureLog: Sendable {
    private struct State {
        /// The highest attempt number logged.
        var attempt = 0
        var gaveUp = false
    }

    private let states = Mutex<[String: State]>([:])

    func failed(_ delivery: PendingDelivery, failure: String, result: DeliveryResult, logger: Logger) {
        let attempt = delivery.attempts + 1
        let gaveUp = result == .failed
        let log = states.withLock { states -> Bool in
            var state = states[delivery.webhook] ?? State()
            defer { states[delivery.webhook] = state }
            if gaveUp {
                guard !state.gaveUp else { return false }
                state.gaveUp = true
                return true
            }
            guard attempt > state.attempt else { return false }
            state.attempt = attempt
            return true
        }
        var metadata: Logger.Metadata = [
            "webhook": "\(delivery.webhook)", "url": "\(WebhookURL.redacted(delivery.url))", "failure": "\(failure)",
            "attempt": "\(attempt)", "delivery": "\(delivery.id)",
        ]
        if case .retry(let next) = result { metadata["retry_in_s"] = "\(Int(max(0, next.timeIntervalSinceNow).rounded()))" }
        guard log else {
            logger.debug("webhook delivery failed", metadata: metadata)
            return
        }
        logger.warning(gaveUp ? "webhook delivery failed; giving up on it" : "webhook delivery failed", metadata: metadata)
    }

    func delivered(_ delivery: PendingDelivery, logger: Logger) {
        guard states.withLock({ $0.removeValue(forKey: delivery.webhook) }) != nil else { return }
        logger.notice("webhook delivers again", metadata: ["webhook": "\(delivery.webhook)", "url": "\(WebhookURL.redacted(delivery.url))"])
    }
}
