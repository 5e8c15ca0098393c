import ClutchCore
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import ServerTestSupport
import Synchronization
import Testing

@testable import ClutchServer

/// Every stream's heartbeat and stall check come from one task (``StreamHeartbeat``), not one
/// task and timer per stream (issue 28: what 100,000 idle client streams cost). These check what
/// that one task does for each stream: a heartbeat once a period, the stalled ones closed, the
/// streams a console page only follows left out.
@Suite("One heartbeat task for every stream")
struct StreamHeartbeatTests {
    /// A subscriber the test can read: what it was sent (once its queue is finished) and whether
    /// its connection was closed.
    final class Probe: Sendable {
        let subscriber: EngineRegistry.Subscriber
        let messages: AsyncStream<ByteBuffer>
        private let closedFlag: Closed

        final class Closed: Sendable {
            let value = Mutex(false)
        }

        init(clock: any ServerClock) {
            let (messages, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            let closed = Closed()
            self.messages = messages
            closedFlag = closed
            subscriber = EngineRegistry.Subscriber(
                keyID: "k", continuation: continuation, writing: WriteWatch(clock: clock), close: { closed.value.withLock { $0 = true } })
        }

        /// Whether the subscriber's connection was closed.
        var closed: Bool { closedFlag.value.withLock { $0 } }

        /// The heartbeats queued for it; ends its queue first.
        func heartbeats() async -> Int {
            subscriber.continuation.finish()
            var count = 0
            for await message in messages where message == StreamEvent.heartbeat { count += 1 }
            return count
        }
    }

    static func registry() -> EngineRegistry {
        let registry = EngineRegistry(historyLimit: 10, backlogLimit: 16)
        for environment in ["production", "staging"] {
            registry.install(LiveEnvironment(snapshot: Snapshot(environment: environment, version: 1)), events: [])
        }
        return registry
    }

    /// `count` probes, each subscribed to production.
    static func subscribed(_ count: Int, to registry: EngineRegistry, clock: TestClock) -> [Probe] {
        let probes = (0..<count).map { _ in Probe(clock: clock) }
        for probe in probes {
            #expect(registry.subscribe(environment: "production", subscriber: probe.subscriber, lastEventID: nil) != nil)
        }
        return probes
    }

    /// What ``StreamHeartbeat`` does over one period: every group swept once, beating.
    static func sweepRound(_ registry: EngineRegistry) {
        for slice in 0..<StreamHeartbeat.slices {
            registry.sweep(slice: slice, of: StreamHeartbeat.slices, beat: true, stallTimeout: .seconds(30))
        }
    }

    @Test("a whole round of the groups sends each stream one heartbeat; the streams a page only follows get none")
    func aRoundBeatsEveryStreamOnce() async throws {
        let registry = Self.registry()
        let clock = TestClock()
        let probes = Self.subscribed(48, to: registry, clock: clock)
        // A console page following staging as well: counted once, in its own environment.
        let (followed, followedContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        var follower = EngineRegistry.Subscriber(keyID: "k", continuation: followedContinuation, writing: WriteWatch(clock: clock), close: {})
        follower.counted = false
        let followID = try #require(registry.subscribe(environment: "staging", subscriber: follower, lastEventID: nil)?.id)
        #expect(registry.totalStreams == 48)

        Self.sweepRound(registry)
        for probe in probes {
            #expect(await probe.heartbeats() == 1)
        }
        followedContinuation.finish()
        var followerMessages = 0
        for await _ in followed { followerMessages += 1 }
        #expect(followerMessages == 0)
        registry.unsubscribe(environment: "staging", id: followID)
        #expect(registry.totalStreams == 48)
    }

    @Test("a stream whose write has waited past the stall timeout is closed; the others only get their heartbeat")
    func aStalledStreamIsClosed() async throws {
        let registry = Self.registry()
        let clock = TestClock()
        let probes = Self.subscribed(2, to: registry, clock: clock)
        let (stalled, reading) = (probes[0], probes[1])
        stalled.subscriber.writing?.start()
        clock.advance(by: .seconds(31))
        Self.sweepRound(registry)
        #expect(stalled.closed)
        #expect(!reading.closed)
        #expect(await stalled.heartbeats() == 0)
        #expect(await reading.heartbeats() == 1)
    }

    @Test("the task looks at every group once a period on the server's clock: one heartbeat per stream per interval")
    func theTaskBeatsOncePerInterval() async throws {
        let registry = Self.registry()
        let clock = TestClock()
        let probes = Self.subscribed(32, to: registry, clock: clock)
        // A period of 16 s: a group each second.
        let heartbeat = StreamHeartbeat(registry: registry, clock: clock, heartbeat: .seconds(16), stallTimeout: .seconds(60))
        let running = Task { try await heartbeat.run() }
        defer { running.cancel() }
        try await waitForTurn(of: heartbeat.turns, after: RunnerTurns.Count())
        for _ in 1..<StreamHeartbeat.slices {
            try await advance(clock, by: .seconds(1), thenTurnOf: heartbeat.turns)
        }
        #expect(heartbeat.turns.count.finished == StreamHeartbeat.slices)
        for probe in probes {
            #expect(await probe.heartbeats() == 1)
        }
    }

    @Test("a client stream, served by its connection's pipeline, gets its heartbeat from the same sweep, once a round")
    func aClientStreamIsBeatByTheSweep() async throws {
        // On a test clock the server's own heartbeat task takes its first step at start, before the
        // stream opens, and no other: only the sweeps below beat the stream.
        try await TestServer.with(configure: TestServer.on(TestClock())) { server in
            try await ClientKeyTests.seed(server)
            let (_, key) = try await server.createKey("production", name: "devices", kind: "client")
            let connection = try RawConnection(port: server.port)
            try connection.send(ClientStreamChannelTests.request(key: key, targetingKey: "visitor-1"))
            let first = await connection.read(until: "event: values", timeout: .seconds(10))
            #expect(first.contains("event: values"), "\(first)")
            #expect(!first.contains(": heartbeat"))
            Self.sweepRound(server.application.services.registry)
            let beat = await connection.read(until: ": heartbeat", timeout: .seconds(10))
            #expect(beat.components(separatedBy: ": heartbeat").count - 1 == 1, "\(beat)")
        }
    }

    /// Holds every write that reaches it, unanswered: a client that does not read.
    final class HeldWrites: ChannelOutboundHandler {
        typealias OutboundIn = Any
        private(set) var held: [EventLoopPromise<Void>?] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            held.append(promise)
        }

        func flush(context: ChannelHandlerContext) {}
    }

    @Test("a client stream whose write has waited past the stall timeout is closed by the sweep, and a change meanwhile is not queued")
    func aStalledClientStreamIsClosed() throws {
        let registry = Self.registry()
        let clock = TestClock()
        let writes = HeldWrites()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([writes, HTTPConnectionStateHandler(logger: Logger(label: "test"))])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let released = Closed()
        let format = ClientValuesFormat(context: EvaluationContext(), environment: "production", registry: registry) { _ in }
        try ClientStreamHandler.start(
            channel: channel,
            stream: ClientStreamHandler.Stream(
                format: format, slot: StreamSlot { released.value.withLock { $0 = true } }, keyID: "k", environment: "production",
                registry: registry, metrics: ServerMetrics(), clock: clock))
        // The values event is written and never taken.
        #expect(writes.held.count == 1)
        #expect(registry.totalStreams == 1)
        // A change while it waits: looked at once the write is done, not queued behind it.
        let event = StreamEvent.sharing(name: "flag", version: 2, data: Array("{}".utf8)).event
        registry.install(LiveEnvironment(snapshot: Snapshot(environment: "production", version: 2)), events: [event])
        channel.embeddedEventLoop.run()
        #expect(writes.held.count == 1)
        // Within the stall timeout the sweep leaves it open (and sends no heartbeat behind the write).
        clock.advance(by: .seconds(29))
        Self.sweepRound(registry)
        channel.embeddedEventLoop.run()
        #expect(channel.isActive)
        #expect(writes.held.count == 1)
        clock.advance(by: .seconds(2))
        Self.sweepRound(registry)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(released.value.withLock { $0 })
        #expect(registry.totalStreams == 0)
    }

    final class Closed: Sendable {
        let value = Mutex(false)
    }
}
