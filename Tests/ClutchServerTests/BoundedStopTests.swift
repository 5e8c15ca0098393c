import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import ClutchServer

/// A background service that ignores being stopped cannot hold the server's shutdown.
@Suite("Bounded stop of background services")
struct BoundedStopTests {
    /// Waits on a continuation that only `release()` resumes: deaf to graceful shutdown and to
    /// cancellation, as a library await whose answer never comes.
    final class DeafService: Service, Sendable {
        private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let released = Mutex(false)

        func run() async throws {
            await withCheckedContinuation { continuation in
                let now = released.withLock { released in
                    if !released { waiter.withLock { $0 = continuation } }
                    return released
                }
                if now { continuation.resume() }
            }
        }

        /// Lets `run()` return (so the test leaves no task behind).
        func release() {
            released.withLock { $0 = true }
            waiter.withLock { waiter in
                waiter?.resume()
                waiter = nil
            }
        }
    }

    /// Ends at once when asked to stop; `failure` makes it throw instead.
    struct PoliteService: Service {
        var failure: (any Error)?

        func run() async throws {
            try? await gracefulShutdown()
            if let failure { throw failure }
        }
    }

    struct Boom: Error {}

    /// Runs `services` in a group that cancels what has not stopped 500 ms after being asked, as
    /// the server's does after 4 s; asks it to stop, and says how long `run()` took to return
    /// (nil: not within 20 s; the group's task is then left behind rather than hang the test).
    static func stopTime(_ services: [any Service], logger: Logger) async throws -> Duration? {
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(500)
        let group = ServiceGroup(configuration: configuration)
        let ended = Mutex<Result<Void, any Error>?>(nil)
        Task {
            do {
                try await group.run()
                ended.withLock { $0 = .success(()) }
            } catch {
                ended.withLock { $0 = .failure(error) }
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        while clock.now - start < .seconds(20) {
            if let result = ended.withLock({ $0 }) {
                try result.get()
                return clock.now - start
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func aServiceThatIgnoresStoppingIsLeftBehindAfterItsGraceAndNamedInTheLog() async throws {
        let records = LogRecords()
        let logger = records.logger
        let deaf = DeafService()
        defer { deaf.release() }
        let bounded = BoundedStop(deaf, grace: .milliseconds(500), logger: logger) { "waiting for an answer" }
        let took = try await Self.stopTime([PoliteService(), bounded], logger: logger)
        let stopped = try #require(took, "the group never stopped")
        #expect(stopped >= .seconds(1), "not before the graceful shutdown's bound and its grace: \(stopped)")
        #expect(stopped < .seconds(15), "\(stopped)")
        let errors = records.all.filter { $0.level == .error }
        #expect(errors.count == 1, "\(errors.map(\.1))")
        #expect(errors.first?.1.contains("did not stop in time") == true)
        #expect(errors.first?.2["doing"] == "waiting for an answer")
        #expect(errors.first?.2["service"]?.description.contains("DeafService") == true)
    }

    @Test func aServiceThatStopsIsWaitedForAndItsErrorPassesThrough() async throws {
        let records = LogRecords()
        let logger = records.logger
        let took = try await Self.stopTime([BoundedStop(PoliteService(), grace: .seconds(10), logger: logger)], logger: logger)
        let stopped = try #require(took)
        #expect(stopped < .seconds(9), "a polite service is not held for its grace: \(stopped)")
        #expect(records.all.allSatisfy { $0.level != .error })

        await #expect(throws: Boom.self) {
            _ = try await Self.stopTime([BoundedStop(PoliteService(failure: Boom()), grace: .seconds(10), logger: logger)], logger: logger)
        }
    }
}
