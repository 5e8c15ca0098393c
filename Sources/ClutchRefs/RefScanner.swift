import ClutchAPI
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scans files for flag references: each file read once and matched in one pass
/// (``ReferenceMatcher``), files read in parallel on every core.
///
/// - A file with a NUL byte is binary and skipped; any other file is scanned as bytes, UTF-8 or
///   not (its context lines are decoded with replacement characters where they are not UTF-8).
/// - Symbolic links are not followed (`O_NOFOLLOW`): a link is listed by git as a link, and what
///   it points to is scanned where git tracks it, once, never in a loop. Directories (submodules),
///   devices and files gone since git listed them are skipped.
public struct RefScanner: Sendable {
    public let matcher: ReferenceMatcher

    public init(matcher: ReferenceMatcher) {
        self.matcher = matcher
    }

    /// What a scan found.
    public struct Result: Sendable, Hashable {
        /// Files read and matched.
        public var scanned = 0
        /// Files skipped for a NUL byte.
        public var binary = 0
        /// Files listed that are not regular files or could not be read (links, submodules, gone).
        public var skipped = 0
        /// One per flag, file and line, sorted by flag, path and line.
        public var references: [CodeReference] = []

        public init() {}
    }

    /// Scans `files` (relative to `directory`) on `workers` threads (default: every core).
    /// Blocks the calling thread: call it from a thread of its own, never from Swift's
    /// cooperative pool (``scan(directory:files:)`` does that).
    public func scanBlocking(directory: String, files: [String], workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> Result {
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if root >= 0 { close(root) } }
        let cursor = Atomic<Int>(0)
        let results = Mutex<Result>(Result())
        let batch = 64
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
            var local = Result()
            var buffer = FileBuffer()
            while true {
                let start = cursor.add(batch, ordering: .relaxed).oldValue
                if start >= files.count { break }
                for index in start..<min(start + batch, files.count) {
                    scanFile(root: root, path: files[index], buffer: &buffer, into: &local)
                }
            }
            results.withLock { total in
                total.scanned += local.scanned
                total.binary += local.binary
                total.skipped += local.skipped
                total.references += local.references
            }
        }
        var result = results.withLock { $0 }
        result.references.sort { ($0.flag, $0.path, $0.line) < ($1.flag, $1.path, $1.line) }
        return result
    }

    /// ``scanBlocking(directory:files:workers:)`` on a thread of its own.
    public func scan(directory: String, files: [String]) async -> Result {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: scanBlocking(directory: directory, files: files))
            }
        }
    }

    private func scanFile(root: Int32, path: String, buffer: inout FileBuffer, into result: inout Result) {
        guard buffer.load(root: root, path: path) else {
            result.skipped += 1
            return
        }
        buffer.withBytes { bytes in
            if let base = bytes.baseAddress, memchr(base, 0, bytes.count) != nil {
                result.binary += 1
                return
            }
            result.scanned += 1
            let matches = matcher.matches(in: bytes)
            guard !matches.isEmpty else { return }
            var lines = LineCounter()
            // One reference per flag and line, however many of its names the line holds.
            var seen: Set<FlagLine> = []
            for match in matches.sorted(by: { $0.start < $1.start }) {
                let name = matcher.names[match.name]
                let line = lines.line(at: match.start, in: bytes)
                guard seen.insert(FlagLine(flag: name.flag, line: line.number)).inserted else { continue }
                result.references.append(CodeReference(
                    flag: name.flag, path: path, line: line.number, context: Self.context(bytes, lineStart: line.start),
                    alias: name.kind == .key ? nil : name.text))
            }
        }
    }

    /// The line starting at `lineStart`, trimmed, cut to ``CodeReferenceLimits/maxContext``
    /// characters; bytes that are not UTF-8 become U+FFFD.
    static func context(_ bytes: UnsafeBufferPointer<UInt8>, lineStart: Int) -> String {
        var end = lineStart
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        // Read at most 4 bytes a character more than kept: a long minified line costs no more.
        let slice = UnsafeBufferPointer(rebasing: bytes[lineStart..<min(end, lineStart + CodeReferenceLimits.maxContext * 4 + 64)])
        let text = String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return String(text.prefix(CodeReferenceLimits.maxContext)).trimmingCharacters(in: .whitespaces)
    }
}

struct FlagLine: Hashable {
    var flag: String
    var line: Int
}

/// Line numbers of positions visited in increasing order, counting each newline once.
struct LineCounter {
    private var position = 0
    private var number = 1
    private var start = 0

    mutating func line(at target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (number: Int, start: Int) {
        while position < target {
            if bytes[position] == UInt8(ascii: "\n") {
                number += 1
                start = position + 1
            }
            position += 1
        }
        return (number, start)
    }
}

/// One worker's reusable read buffer.
struct FileBuffer {
    private var storage = [UInt8](repeating: 0, count: 1 << 16)
    private var count = 0

    /// Reads the regular file `path` (relative to `root`) whole, without following a final
    /// symbolic link; false when it is not a regular file or cannot be read.
    mutating func load(root: Int32, path: String) -> Bool {
        let fd = openat(root, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        // One byte more than its size: reading 0 there confirms the end in the same buffer.
        let size = Int(info.st_size)
        if storage.count < size + 1 { storage = [UInt8](repeating: 0, count: size + 1) }
        count = 0
        while true {
            if count == storage.count { storage += [UInt8](repeating: 0, count: storage.count) }
            let filled = count
            let got = storage.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return read(fd, base + filled, raw.count - filled)
            }
            if got > 0 {
                count += got
            } else if got == 0 {
                return true
            } else if errno != EINTR {
                return false
            }
        }
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }
}
