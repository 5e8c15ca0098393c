import ClutchStore
import Foundation
import Hummingbird
import NIOCore

/// `GET /ui/flags/{key}/events?env=…`: a small Server-Sent-Events stream that tells an open flag
/// page an environment changed (the one shown, or any other: the page summarises every
/// environment's state), so the page can fetch itself again (console.js) and show a change made
/// elsewhere within a second. It is the SDK stream's machinery
/// (``EventStreamResponse``: heartbeats to notice a gone client, backlog and stall limits,
/// graceful shutdown) with a format that sends only "something changed".
struct ConsoleEventsController {
    let services: ServerServices

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("flags/:key/events", use: events)
    }

    @Sendable func events(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let registry = services.registry
        var response = try EventStreamResponse.make(
            services: services, channel: context.channel, keyID: "console:\(session.idHash)", environment: env,
            following: environments, lastEventID: nil,
            format: ConsoleChangeFormat { environments.map { registry.live($0)?.version ?? 0 }.reduce(0, +) })
        for field in ConsolePages.securityHeaders where field.name != .cacheControl {
            response.headers[field.name] = field.value
        }
        return response
    }
}

/// `event: ready` once connected, then `event: change` for each change (several events of one
/// version make one message); heartbeats as they are. The version is the sum of the followed
/// environments' snapshot versions: each only grows, so the sum grows with any change.
struct ConsoleChangeFormat: StreamFormat {
    let currentVersion: @Sendable () -> Int64?
    var sent: Int64?

    init(currentVersion: @escaping @Sendable () -> Int64?) {
        self.currentVersion = currentVersion
    }

    mutating func first(_ buffers: [ByteBuffer]) -> [ByteBuffer] {
        sent = currentVersion()
        return [ByteBuffer(string: "event: ready\ndata: \(sent ?? 0)\n\n")]
    }

    mutating func next(_ buffer: ByteBuffer) -> ByteBuffer? {
        if buffer.readableBytesView.elementsEqual(StreamEvent.heartbeat.readableBytesView) { return buffer }
        guard let version = currentVersion(), sent.map({ $0 < version }) ?? true else { return nil }
        sent = version
        return ByteBuffer(string: "event: change\ndata: \(version)\n\n")
    }
}
