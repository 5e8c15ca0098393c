import ClutchCore
import Foundation
import NIOCore

/// What the server serves for one environment: the compiled engine, the snapshot's JSON and
/// its stream event, all built once per change and replaced together.
struct LiveEnvironment: Sendable {
    let engine: Engine
    /// The snapshot as sorted-key JSON, for `GET /sdk/v1/flags`.
    let snapshotJSON: ByteBuffer
    /// The `snapshot` event a new stream starts with; every stream shares these bytes.
    let snapshotEvent: StreamEvent
    /// `"<environment>-<version>"`, quoted.
    let etag: String
    /// Flag keys in the order bulk evaluation reports them, sorted once per change.
    let sortedFlagKeys: [String]

    init(snapshot: Snapshot) {
        self.engine = Engine(snapshot)
        let json = (try? ClutchJSON.encode(snapshot)) ?? Data("{}".utf8)
        (self.snapshotEvent, self.snapshotJSON) = StreamEvent.sharing(name: "snapshot", version: snapshot.version, data: json)
        self.etag = "\"\(snapshot.environment)-\(snapshot.version)\""
        self.sortedFlagKeys = snapshot.flags.map(\.key).sorted()
    }

    var version: Int64 { engine.version }
    var snapshot: Snapshot { engine.snapshot }
}
