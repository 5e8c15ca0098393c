import ClutchCore
import Foundation
import Logging

/// Reading and writing the SDK's cache files (the snapshot, each person's answers): one home
/// for what a missing, unreadable or corrupt file means, and for atomic writes.
enum CacheFile {
    /// The contents of `url` as `T`, or `nil` when there is no such file. A file that cannot
    /// be read or decoded is logged as a warning (naming `what`) and ignored: it is replaced
    /// by the next good data.
    static func read<T: Decodable>(_ type: T.Type, at url: URL, what: String, logger: Logger) -> T? {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if FileManager.default.fileExists(atPath: url.path) {
                logger.warning("cannot read the \(what); ignoring it", metadata: ["path": "\(url.path)", "error": "\(error)"])
            }
            return nil
        }
        do {
            return try ClutchJSON.fastDecode(T.self, from: data)
        } catch {
            logger.warning("the \(what) is corrupt; ignoring it", metadata: ["path": "\(url.path)", "error": "\(error)"])
            return nil
        }
    }

    /// Writes `value` to `url` atomically (a temporary file renamed over the old one, so a
    /// crash mid-write leaves the previous contents intact), creating the directory if needed.
    static func write(_ value: some Encodable, to url: URL) throws {
        let data = try ClutchJSON.encode(value)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
