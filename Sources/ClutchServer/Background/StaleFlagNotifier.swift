import ClutchStore
import Foundation
import Logging
import ServiceLifecycle

/// Once a day, sends the `flag.stale` webhook event naming the flags that became stale since the
/// last one, with their owners (a `Service` of the server's group).
///
/// The stage is computed (`FlagLifecycle`), so nothing marks the moment a flag becomes stale: the
/// store remembers which stale flags an event has named (``SQLStore/noticeStaleFlags(now:)``),
/// and each turn names the others. A turn at start catches up after downtime; replicas on one
/// database name each flag once (one write transaction). It reads and waits on the server's
/// clock, so tests move a `TestClock` a day and wait for a turn.
final class StaleFlagNotifier: Service, Sendable {
    private let services: ServerServices
    /// The time between turns.
    private let interval: Duration
    /// Each turn, counted (a test on a ``TestClock`` waits for one).
    let turns: RunnerTurns

    init(services: ServerServices, interval: Duration = .seconds(86_400), turns: RunnerTurns = RunnerTurns()) {
        self.services = services
        self.interval = interval
        self.turns = turns
    }

    func run() async throws {
        let clock = services.clock
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let deadline = await self.turns.turn(on: clock) {
                    do {
                        let named = try await self.services.store.noticeStaleFlags(now: clock.now())
                        if !named.isEmpty {
                            self.services.logger.info("flags became stale", metadata: ["flags": "\(named.map(\.key).joined(separator: ","))"])
                        }
                        return self.interval
                    } catch {
                        self.services.logger.error("stale flags: could not look", metadata: ["error": "\(error)"])
                        return .seconds(60)
                    }
                }
                try? await clock.sleep(until: deadline)
            }
        }
    }
}
