import ClutchStore
import Foundation
import Logging
import ServiceLifecycle

/// Moves running releases on (``FlagStore/runReleases(now:)``): every `interval` of the server's
/// clock it feeds the usage reported since into each release's guard and lets it widen, hold,
/// pause or roll back. All state is in the store, so after a restart the runner picks up where it
/// was. Each turn is counted in `turns`, which is how a test on a ``TestClock`` knows a whole
/// turn has run after it moved time.
struct ReleaseRunner: Service {
    let services: ServerServices
    let interval: Duration
    let turns: RunnerTurns

    func run() async throws {
        let logger = services.logger
        let clock = services.clock
        // Fixed before the runner says it sleeps: a test's advance after that always reaches it.
        var deadline = clock.instant().advanced(by: interval)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            turns.sleeping()
            do {
                try await cancelWhenGracefulShutdown { [deadline] in try await clock.sleep(until: deadline) }
            } catch {
                return
            }
            turns.begin()
            do {
                let changes = try await services.store.runReleases(now: clock.now())
                for change in changes {
                    if !change.versions.isEmpty { _ = await services.publisher.publish(change.versions, touched: change.touched) }
                    let release = change.value
                    logger.info("release moved", metadata: [
                        "flag": "\(release.flag)", "environment": "\(release.environment)", "state": "\(release.state.rawValue)",
                        "percent": "\(release.percent)", "message": "\(release.transitions.last?.message ?? "")",
                    ])
                }
                try await services.refreshReleaseSignal()
            } catch {
                logger.error("running releases failed", metadata: ["error": "\(error)"])
            }
            deadline = clock.instant().advanced(by: interval)
            turns.end()
        }
    }
}
