import ClutchCore

/// What the server serves for one environment: the compiled engine and the snapshot's JSON,
/// both built once per change and replaced together.
struct LiveEnvironment: Sendable {
    let engine: Engine
    /// The snapshot as sorted-key JSON, for `GET /sdk/v1/flags` and the first stream event.
    let snapshotJSON: String
    /// `"<environment>-<version>"`, quoted.
    let etag: String
    /// Flag keys in the order bulk evaluation reports them, sorted once per change.
    let sortedFlagKeys: [String]

    init(snapshot: Snapshot) {
        self.engine = Engine(snapshot)
        self.snapshotJSON = (try? ClutchJSON.encode(snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        self.etag = "\"\(snapshot.environment)-\(snapshot.version)\""
        self.sortedFlagKeys = snapshot.flags.map(\.key).sorted()
    }

    var version: Int64 { engine.version }
    var snapshot: Snapshot { engine.snapshot }
}
