import ClutchCore
import ClutchProtocol
import ClutchStore
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// `/sdk/v1`: snapshot download, the change stream and usage reports. The SDK key decides the environment.
struct SDKController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("flags", use: flags)
        routes.get("stream", use: stream)
        routes.post("usage", use: usage)
        return routes
    }

    /// The whole definition: a server key's only (a client key is public).
    @Sendable func flags(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await Self.document(request, context: context, services: services, headers: { environment in
            var headers: HTTPFields = [:]
            if let seconds = services.releases.cadence(environment).reportEvery {
                headers[HeaderNames.reportEvery] = String(seconds)
            }
            return headers
        }, body: \.snapshotJSON)
    }

    /// The SDK key's environment as a document (`/sdk/v1/flags`, `/flagd/v1/flags.json`), with
    /// the environment's version as its `ETag`: 304 to an `If-None-Match` that names it.
    static func document(
        _ request: Request, context: ClutchRequestContext, services: ServerServices,
        headers extra: (String) -> HTTPFields = { _ in [:] }, body: (LiveEnvironment) -> ByteBuffer
    ) async throws -> Response {
        // Server keys only: the whole definition is a secret a public client key must not read.
        let (keyID, environment) = try context.sdkKey(only: .server)
        guard let live = services.registry.live(environment) else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        // The key has served flags: the release guard counts its reports (once per process).
        await services.usage.served(keyID)
        var headers: HTTPFields = extra(environment)
        headers[.eTag] = live.etag
        if let ifNoneMatch = request.headers[.ifNoneMatch], EntityTag.matches(ifNoneMatch, live.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.cacheControl] = "no-cache"
        return JSONResponse.buffer(body(live), headers: headers)
    }

    /// The change stream: the snapshot (or the events after `Last-Event-ID`), then the events of
    /// each change (``EventStreamResponse``). A server key's only, like the snapshot.
    @Sendable func stream(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (keyID, environment) = try context.sdkKey(only: .server)
        let lastEventID = request.headers[HeaderNames.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        await services.usage.served(keyID)
        return try EventStreamResponse.make(
            services: services, channel: context.channel, keyID: keyID, environment: environment, lastEventID: lastEventID,
            format: SyncEventsFormat(),
            after: { [services] in
                // The usage cadence, when a release runs; changes are broadcast as they happen.
                services.releases.cadence(environment).reportEvery == nil ? [] : [services.releases.event(environment)]
            })
    }

    private struct UsageAnswer: Encodable {
        let accepted: Int
        let ignored: Int
        /// Seconds until the next report, while a release runs (``UsageCadence``).
        let reportEvery: Int?

        enum CodingKeys: String, CodingKey { case accepted, ignored, reportEvery }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(accepted, forKey: .accepted)
            try c.encode(ignored, forKey: .ignored)
            try c.encodeIfPresent(reportEvery, forKey: .reportEvery)
        }
    }

    /// Stores a report once it has committed (`UsageBatcher`). Entries naming a flag or variant
    /// the key's environment does not have are counted as `ignored`, not stored. A client key's
    /// report carries errors only (``UsageLimits/validate(_:kind:)``).
    @Sendable func usage(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        // The counts belong to now, whenever the batch holding them is written.
        let receivedAt = services.clock.now()
        var request = request
        let (keyID, environment) = try context.sdkKey()
        let kind = try context.sdkKeyKind()
        if let wait = services.usageLimiter.acquire(keyID, now: services.clock.instant()) {
            let rate: Double = services.configuration.limits.usageReportsPerSecond
            let seconds: Int64 = wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0)
            throw APIError.tooManyRequests(
                "too many usage reports for this SDK key; at most \(rate) a second", retryAfter: Int(seconds))
        }
        let report = try await request.decodeJSON(UsageReport.self)
        let counts = report.counts
        try UsageLimits.validate(counts)
        try UsageLimits.validate(counts, kind: kind)
        try UsageLimits.validate(instance: report.instance)
        try UsageLimits.validate(attributes: report.attributes)
        guard let engine = services.registry.engine(environment) else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        let outcome = try await services.metrics.timeWrite("record_usage") {
            try await services.usage.record(counts, engine: engine, keyID: keyID, instance: report.instance, receivedAt: receivedAt)
        }
        services.attributes.record(environment: environment, names: report.attributes ?? [])
        let answer = UsageAnswer(
            accepted: outcome.accepted, ignored: outcome.ignored, reportEvery: services.releases.cadence(environment).reportEvery)
        return JSONResponse.encode(answer, status: .accepted)
    }
}

/// Entity tags.
enum ETag {
    /// A strong tag from content: FNV-1a 64 of the bytes.
    static func of(_ text: String) -> String {
        of(bytes: text.utf8)
    }

    /// A strong tag from a buffer's readable bytes; the same tag as for the same text.
    static func of(_ buffer: ByteBuffer) -> String {
        of(bytes: buffer.readableBytesView)
    }

    private static func of(bytes: some Sequence<UInt8>) -> String {
        let hex = String(hash(bytes: bytes), radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// FNV-1a 64 of the bytes: also how the client stream tells an answer from the one before it.
    static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// When the write a stream is waiting on began (on the server's clock), so a stalled reader can
/// be noticed from outside.
final class WriteWatch: Sendable {
    private let since = Mutex<ContinuousClock.Instant?>(nil)
    private let clock: any ServerClock

    init(clock: any ServerClock) {
        self.clock = clock
    }

    func start() {
        let now = clock.instant()
        since.withLock { $0 = now }
    }

    func stop() { since.withLock { $0 = nil } }

    /// Whether the current write has waited longer than `limit`.
    func waiting(longerThan limit: Duration) -> Bool {
        let now = clock.instant()
        return since.withLock { $0.map { $0.duration(to: now) > limit } ?? false }
    }
}

/// The protocol's usage report, read with unknown fields refused like every request body.
extension UsageReport: RequestBody {}
