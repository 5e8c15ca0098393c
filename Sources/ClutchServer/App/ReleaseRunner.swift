import ClutchStore
import Foundation
import Logging
import ServiceLifecycle

/// Moves running releases on (``FlagStore/runReleases(now:)``): once a second it feeds the
/// usage reported since into each release's guard and lets it widen, hold, pause or roll back.
/// All state is in the store, so after a restart the runner picks up where it was.
struct ReleaseRunner: Service {
    let services: ServerServices
    let interval: Duration

    func run() async throws {
        let logger = services.logger
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let changes = try await services.store.runReleases()
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
        }
    }
}
