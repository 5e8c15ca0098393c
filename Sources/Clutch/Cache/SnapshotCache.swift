import Foundation
import Logging

/// The last good snapshot on disk, so that an app started while the server is down
/// serves the flags it last knew.
///
/// One file per server and SDK key. A key belongs to exactly one environment, so this is
/// one file per server and environment; the environment is not known before the server
/// answers, and the raw key never appears in the name (its SHA-256 does, salted and cut
/// short). User contexts never reach the cache. Writes are atomic (a temporary file
/// renamed over the old one), so a crash mid-write leaves the previous snapshot intact.
public struct SnapshotCache: Sendable {
    /// The cache file.
    public let fileURL: URL
    private let server: String
    private let logger: Logger

    /// What the file holds.
    struct Contents: Codable, Sendable {
        /// Bumped if the layout changes; other formats are ignored.
        var format: Int
        var server: String
        var savedAt: Date
        var snapshot: Snapshot
    }

    static let format = 1

    public init(directory: URL, serverURL: URL, sdkKey: String, logger: Logger) {
        server = serverURL.absoluteString
        fileURL = directory.appendingPathComponent(Self.fileName(serverURL: serverURL, sdkKey: sdkKey))
        self.logger = logger
    }

    /// `clutch-<hash>.json`, the hash covering the server URL and the SDK key.
    public static func fileName(serverURL: URL, sdkKey: String) -> String {
        let digest = SHA256.hex("clutch-cache\u{0}\(serverURL.absoluteString)\u{0}\(sdkKey)")
        return "clutch-\(digest.prefix(32)).json"
    }

    /// The cached snapshot, or `nil` when there is none. A file that cannot be read is
    /// logged as a warning and ignored; it is replaced by the next good snapshot.
    public func load() -> Snapshot? {
        guard let contents = CacheFile.read(Contents.self, at: fileURL, what: "flag cache", logger: logger) else { return nil }
        guard contents.format == Self.format, contents.server == server else {
            logger.warning("the flag cache is for another server or format; ignoring it", metadata: ["path": "\(fileURL.path)"])
            return nil
        }
        return contents.snapshot
    }

    /// Writes `snapshot` atomically, creating the directory if needed.
    public func store(_ snapshot: Snapshot, savedAt: Date = Date()) throws {
        try CacheFile.write(Contents(format: Self.format, server: server, savedAt: savedAt, snapshot: snapshot), to: fileURL)
    }
}
