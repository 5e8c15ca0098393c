import ServiceLifecycle

/// Every open stream's heartbeat and stall check, from one task (a `Service` of the server's
/// group): an idle stream costs no task or timer of its own, which is most of what 100,000 idle
/// client streams would otherwise cost (issue 28).
///
/// Each stream is looked at once every `min(heartbeat, stallTimeout / 2)`: one whose write has
/// waited longer than `stallTimeout` (its client stopped reading) is closed; the others are sent
/// a heartbeat comment every `heartbeat`, which keeps proxies from closing an idle connection
/// and reveals a dead client, whose write then fails. The streams are looked at in ``slices``
/// groups spread over that period, so that their heartbeats are not all written at once. It
/// reads and waits on the server's clock, like every timer of the server.
final class StreamHeartbeat: Service, Sendable {
    private let registry: EngineRegistry
    private let clock: any ServerClock
    private let heartbeat: Duration
    private let stallTimeout: Duration
    /// Each step, counted (a test on a ``TestClock`` waits for one).
    let turns: RunnerTurns

    /// The groups the streams are spread over (by their id).
    static let slices = 16

    init(registry: EngineRegistry, clock: any ServerClock, heartbeat: Duration, stallTimeout: Duration, turns: RunnerTurns = RunnerTurns()) {
        self.registry = registry
        self.clock = clock
        self.heartbeat = heartbeat
        self.stallTimeout = stallTimeout
        self.turns = turns
    }

    /// How often each stream is looked at.
    var period: Duration { min(heartbeat, stallTimeout / 2) }

    func run() async throws {
        let clock = self.clock
        // Never a busy loop, whatever the configuration says.
        let step = max(period / Self.slices, .milliseconds(1))
        // Looks at a stream every `period`, and beats once in `beatEvery` looks.
        let beatEvery = max(1, Int((heartbeat / period).rounded(.up)))
        await cancelWhenGracefulShutdown {
            var next = 0
            while !Task.isCancelled {
                let (round, slice) = next.quotientAndRemainder(dividingBy: Self.slices)
                let deadline = await self.turns.turn(on: clock) {
                    self.registry.sweep(slice: slice, of: Self.slices, beat: round % beatEvery == 0, stallTimeout: self.stallTimeout)
                    return step
                }
                next = (next + 1) % (Self.slices * beatEvery)
                try? await clock.sleep(until: deadline)
            }
        }
    }
}
