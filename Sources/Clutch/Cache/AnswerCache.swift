import ClutchCore
import Foundation
import Logging

/// One person's last answers on disk (device mode), so that an app started without the
/// server serves what that person was last served, with reason `CACHED` (OFREP ADR-0009,
/// "local-cache-first").
///
/// One file per server, key and targeting key, named by a hash of the three: another
/// server, another key or another person never reads this person's answers. The file holds
/// the answers and their ETag, never the targeting key or the rest of the context; the other
/// attributes are not part of the name, since apps set volatile ones (a session id) at every
/// start and the server refreshes the answers as soon as it is reached. Writes are atomic.
struct AnswerCache: Sendable {
    let directory: URL
    private let serverURL: URL
    private let key: String
    private let logger: Logger

    /// What a file holds (ADR-0009's persisted entry).
    struct Entry: Codable, Sendable {
        /// Bumped if the layout changes; other formats are ignored.
        var format: Int
        /// The hash the file is named by, checked on reading (a renamed file is not served).
        var cacheKeyHash: String
        var etag: String?
        var writtenAt: Date
        var data: OFREPBulkResponse
    }

    /// A person's answers waiting to be written (``CacheWriter``).
    struct Pending: Sendable {
        var targetingKey: String
        var answers: OFREPBulkResponse
        var etag: String?
    }

    static let format = 1

    init(directory: URL, serverURL: URL, key: String, logger: Logger) {
        self.directory = directory
        self.serverURL = serverURL
        self.key = key
        self.logger = logger
    }

    /// The SHA-256 of the server URL, the key and the targeting key, each prefixed by its
    /// length so that no two different triples hash the same text.
    func cacheKeyHash(targetingKey: String) -> String {
        let parts = ["clutch-answers", serverURL.absoluteString, key, targetingKey]
        return SHA256.hex(parts.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// `clutch-answers-<hash>.json`.
    func fileURL(targetingKey: String) -> URL {
        directory.appendingPathComponent("clutch-answers-\(cacheKeyHash(targetingKey: targetingKey).prefix(32)).json")
    }

    /// The answers last stored for `targetingKey` and their ETag, or `nil` when there are
    /// none. A file that cannot be read is logged as a warning and ignored.
    func load(targetingKey: String) -> (answers: OFREPBulkResponse, etag: String?)? {
        let url = fileURL(targetingKey: targetingKey)
        guard let entry = CacheFile.read(Entry.self, at: url, what: "answer cache", logger: logger) else { return nil }
        guard entry.format == Self.format, entry.cacheKeyHash == cacheKeyHash(targetingKey: targetingKey) else {
            logger.warning("the answer cache is for another person, server or format; ignoring it", metadata: ["path": "\(url.path)"])
            return nil
        }
        return (entry.data, entry.etag)
    }

    /// Writes `pending` atomically, creating the directory if needed.
    func store(_ pending: Pending, writtenAt: Date = Date()) throws {
        let entry = Entry(
            format: Self.format, cacheKeyHash: cacheKeyHash(targetingKey: pending.targetingKey), etag: pending.etag,
            writtenAt: writtenAt, data: pending.answers)
        try CacheFile.write(entry, to: fileURL(targetingKey: pending.targetingKey))
    }
}
