import ClutchProtocol
import NIOCore
import Synchronization

/// Which environments have a running release, for the usage cadence SDKs are told
/// (``UsageCadence``). Refreshed from the store by the release runner and after each release
/// command; a change is broadcast to the environment's SDK streams at once.
final class ReleaseSignal: Sendable {
    private let running = Mutex<Set<String>>([])

    /// The cadence SDKs of `environment` should report at.
    func cadence(_ environment: String) -> UsageCadence {
        .releaseRunning(running.withLock { $0.contains(environment) })
    }

    /// Replaces the set; returns the environments whose cadence changed.
    func update(_ environments: Set<String>) -> Set<String> {
        running.withLock { running in
            defer { running = environments }
            return running.symmetricDifference(environments)
        }
    }

    /// The SSE event telling an SDK stream the cadence of `environment`.
    func event(_ environment: String) -> ByteBuffer {
        var wire = ByteBuffer()
        wire.writeString("event: \(UsageCadence.eventName)\ndata: ")
        wire.writeBytes((try? cadence(environment).data()) ?? Array(#"{"reportEvery":null}"#.utf8))
        wire.writeString("\n\n")
        return wire
    }
}

extension ServerServices {
    /// Reads which environments have a running release and tells the streams of those whose
    /// cadence changed. Returns the environments that changed.
    @discardableResult
    func refreshReleaseSignal() async throws -> Set<String> {
        let changed = releases.update(try await store.runningReleaseEnvironments())
        for environment in changed { registry.broadcast(environment: environment, releases.event(environment)) }
        return changed
    }
}
