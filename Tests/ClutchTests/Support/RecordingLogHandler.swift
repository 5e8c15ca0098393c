import Foundation
import Logging

/// A log handler that keeps what it receives, so tests can assert on warnings.
struct RecordingLogHandler: LogHandler {
    final class Records: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(Logger.Level, String)] = []

        func append(_ level: Logger.Level, _ message: String) {
            lock.lock()
            defer { lock.unlock() }
            entries.append((level, message))
        }

        func messages(at level: Logger.Level) -> [String] {
            lock.lock()
            defer { lock.unlock() }
            return entries.filter { $0.0 == level }.map(\.1)
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return entries.map(\.1)
        }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var text = event.message.description
        if let metadata = event.metadata, !metadata.isEmpty {
            text += " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        records.append(event.level, text)
    }

    /// A logger writing into a fresh record.
    static func logger(label: String = "test") -> (Logger, Records) {
        let records = Records()
        let logger = Logger(label: label) { _ in RecordingLogHandler(records: records) }
        return (logger, records)
    }
}
