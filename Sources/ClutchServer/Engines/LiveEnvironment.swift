import ClutchCore
import ClutchProtocol
import NIOCore

/// What the server serves for one environment: the compiled engine and the snapshot's encoding,
/// replaced together after each change. A change is applied to the previous live state
/// (``applying(_:)``), so its cost follows what it changed, not the size of the environment.
struct LiveEnvironment: Sendable {
    let engine: Engine
    let encoded: EncodedSnapshot
    /// `"<environment>-<version>"`, quoted.
    let etag: String
    /// Flag keys in the order bulk evaluation reports them (the snapshot's, which is by key).
    let sortedFlagKeys: [String]

    init(snapshot: Snapshot) {
        self.init(engine: Engine(snapshot), encoded: EncodedSnapshot(snapshot), sortedFlagKeys: snapshot.flags.map(\.key).sorted())
    }

    private init(engine: Engine, encoded: EncodedSnapshot, sortedFlagKeys: [String]) {
        self.engine = engine
        self.encoded = encoded
        self.etag = EntityTag.snapshot(environment: engine.environment, version: engine.version)
        self.sortedFlagKeys = sortedFlagKeys
    }

    /// This state with `delta` applied: only the flags and cohorts it names (and the flags
    /// using those cohorts) are compiled and encoded again.
    func applying(_ delta: SnapshotDelta) -> LiveEnvironment {
        let engine = self.engine.applying(delta)
        let keysChanged = delta.flags.contains { key, flag in (flag == nil) != (self.encoded.flagJSON(key) == nil) }
        return LiveEnvironment(
            engine: engine, encoded: encoded.applying(delta, next: engine.snapshot),
            sortedFlagKeys: keysChanged ? engine.snapshot.flags.map(\.key).sorted() : sortedFlagKeys)
    }

    /// The snapshot as sorted-key JSON, for `GET /sdk/v1/flags`.
    var snapshotJSON: ByteBuffer { encoded.document.json }
    /// The `snapshot` event a new stream starts with; every stream shares these bytes.
    var snapshotEvent: StreamEvent { encoded.document.event }

    var version: Int64 { engine.version }
    var snapshot: Snapshot { engine.snapshot }
}
