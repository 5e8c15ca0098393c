import ClutchProtocol
import Foundation
import NIOCore

/// OFREP's change notifications (ADR-0008, "SSE for bulk evaluation changes"): instead of the
/// changes themselves, one `refetchEvaluation` message per new version of the environment, which
/// tells a provider to fetch its bulk evaluation again.
///
/// `event: message`, `id: <version>` (so `Last-Event-ID` resumes), and
/// `data: {"type":"refetchEvaluation","etag":"\"<env>-<version>\"","lastModified":<unix seconds>}`;
/// the `etag` comes back as `flagConfigEtag` on the re-fetch. Several events of one version (one
/// change of several flags) make one message.
struct OFREPRefetchFormat: StreamFormat {
    let environment: String
    /// The environment's current version (read when a change arrives).
    let currentVersion: @Sendable () -> Int64?
    /// The version the client is known to have seen; `nil` until something is sent.
    var sent: Int64?
    /// The server's clock, for `lastModified`.
    let clock: any ServerClock

    init(environment: String, lastEventID: Int64?, clock: any ServerClock, currentVersion: @escaping @Sendable () -> Int64?) {
        self.environment = environment
        self.currentVersion = currentVersion
        self.sent = lastEventID
        self.clock = clock
    }

    /// One message at once with the current version, unless the client resumed at it: a change
    /// made between a provider's bulk fetch and its connecting here is not missed (the re-fetch
    /// is conditional, so it costs a 304 when nothing changed).
    mutating func first(_ buffers: [ByteBuffer]) -> [ByteBuffer] {
        guard let version = currentVersion(), sent.map({ $0 < version }) ?? true else { return [] }
        return [message(version, lastModified: nil)]
    }

    mutating func next(_ buffer: ByteBuffer) -> ByteBuffer? {
        if buffer.readableBytesView.elementsEqual(StreamEvent.heartbeat.readableBytesView) { return buffer }
        guard let version = currentVersion(), sent.map({ $0 < version }) ?? true else { return nil }
        // The change has just been published: now is when the configuration was modified.
        return message(version, lastModified: Int64(clock.now().timeIntervalSince1970))
    }

    private mutating func message(_ version: Int64, lastModified: Int64?) -> ByteBuffer {
        sent = version
        let etag = EntityTag.snapshot(environment: environment, version: version)
        var data = ByteBuffer()
        data.writeStaticString("{\"etag\":")
        data.writeJSONString(etag)
        if let lastModified { data.writeString(",\"lastModified\":\(lastModified)") }
        data.writeStaticString(",\"type\":\"refetchEvaluation\"}")
        var wire = ByteBuffer()
        wire.writeString("id: \(version)\nevent: message\ndata: ")
        wire.writeBuffer(&data)
        wire.writeStaticString("\n\n")
        return wire
    }
}
