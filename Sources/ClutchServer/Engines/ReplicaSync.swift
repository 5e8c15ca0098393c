import ClutchStore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps this replica current with what other replicas commit to the database they share:
/// it listens for their notifications and, in case one is lost or the listening connection
/// drops, also compares every environment's version with its own every `pollInterval` (of the
/// server's clock). Either
/// way it reloads what changed and publishes it to its streams exactly as a local change
/// (``SnapshotPublisher``), and reloads the credentials when keys changed.
final class ReplicaSync: Service, Sendable {
    private let feed: any StoreChangeFeed
    private let services: ServerServices
    private let pollInterval: Duration
    private let listening = Atomic(false)
    /// What each loop is doing now: said in the log should one ever fail to stop.
    private let doing = Mutex(["listen": "starting", "poll": "starting"])

    init(feed: any StoreChangeFeed, services: ServerServices, pollInterval: Duration) {
        self.feed = feed
        self.services = services
        self.pollInterval = pollInterval
    }

    /// Whether the listening connection is up (part of readiness).
    var isListening: Bool { listening.load(ordering: .acquiring) }

    /// What the listen and poll loops are doing now, e.g. `listen: waiting for notifications; poll: sleeping`.
    var activity: String {
        doing.withLock { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") }
    }

    private func note(_ loop: String, _ what: String) {
        doing.withLock { $0[loop] = what }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listenLoop() }
                group.addTask { await self.pollLoop() }
            }
        }
    }

    /// Listens, and listens again (after a pause that grows to 5 s) whenever the connection drops.
    private func listenLoop() async {
        var pause: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                note("listen", "connecting and starting LISTEN")
                try await feed.listen(
                    onListening: {
                        self.listening.store(true, ordering: .releasing)
                        // Whatever was committed while nobody listened.
                        await self.catchUp(loop: "listen")
                        self.note("listen", "waiting for notifications")
                    },
                    onNotification: { notification in
                        self.note("listen", "handling a notification")
                        await self.handle(notification)
                        self.note("listen", "waiting for notifications")
                    })
            } catch {
                if Task.isCancelled { break }
                services.logger.warning("change listener lost", metadata: ["error": "\(error)"])
            }
            listening.store(false, ordering: .releasing)
            note("listen", "pausing before listening again")
            try? await services.clock.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
        listening.store(false, ordering: .releasing)
        note("listen", "ended")
    }

    private func pollLoop() async {
        while !Task.isCancelled {
            note("poll", "sleeping")
            try? await services.clock.sleep(for: pollInterval)
            if Task.isCancelled { break }
            await catchUp(loop: "poll")
        }
        note("poll", "ended")
    }

    private func handle(_ notification: StoreNotification) async {
        switch notification {
        case .environment(let environment, let version):
            if let live = services.registry.live(environment), live.version >= version { return }
            do {
                try await services.publisher.reload(environment)
            } catch {
                services.logger.error("snapshot reload failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
            }
        case .delta(let environment, let version, let flags, let cohorts):
            // Another replica's change: read what it touched, or reload when a version was missed.
            guard let live = services.registry.live(environment), live.version == version - 1 else { return }
            await services.publisher.publish(
                [environment: version],
                touched: Touched(previousVersions: [environment: version - 1], flags: [environment: flags], cohorts: [environment: cohorts]))
        case .credentials:
            do {
                try await services.refreshCredentials()
            } catch {
                services.logger.error("credential reload failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Reloads every environment whose version is ahead of this replica's (new ones included),
    /// and the credentials.
    func catchUp(loop: String) async {
        do {
            note(loop, "catching up: reading environments")
            for environment in try await services.store.environments() {
                if let live = services.registry.live(environment.key), live.version >= environment.version { continue }
                note(loop, "catching up: reloading \(environment.key)")
                try await services.publisher.reload(environment.key)
            }
            note(loop, "catching up: reloading credentials")
            try await services.refreshCredentials()
        } catch {
            services.logger.warning("catching up with the database failed", metadata: ["error": "\(error)"])
        }
    }
}
