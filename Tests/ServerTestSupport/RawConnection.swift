import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// A raw TCP connection to the test server, for what no well-behaved HTTP client does: sending
/// half a request, or asking for a stream and never reading it.
public final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`. A small `receiveBuffer` makes a client that does not read
    /// stall the server's writes sooner.
    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("connect() failed")
        }
    }

    deinit { close(fd) }

    /// Sends `text` whole.
    public func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send() failed") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// The request for the change stream with `key`.
    public static func streamRequest(key: String) -> String {
        "GET /sdk/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nAccept: text/event-stream\r\n\r\n"
    }

    /// Reads (and discards) until the server closes the connection; `false` if it is still
    /// open after `timeout`.
    ///
    /// Waits on a thread of its own: blocking one of the few threads of Swift's cooperative pool
    /// would stall the in-process server whose closing the test waits for.
    public func waitUntilClosed(timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.waitUntilClosedBlocking(timeout: timeout)) }
        }
    }

    private func waitUntilClosedBlocking(timeout: Duration) -> Bool {
        readUntilClosedBlocking(timeout: timeout).closed
    }

    /// What the server sends until it closes the connection, and whether it closed it within
    /// `timeout`. Waits on a thread of its own, as ``waitUntilClosed(timeout:)`` does.
    public func readUntilClosed(timeout: Duration) async -> (closed: Bool, text: String) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let (closed, data) = self.readUntilClosedBlocking(timeout: timeout)
                continuation.resume(returning: (closed, String(decoding: data, as: UTF8.self)))
            }
        }
    }

    private func readUntilClosedBlocking(timeout: Duration) -> (closed: Bool, data: Data) {
        let deadline = ContinuousClock.now + timeout
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready < 0 { return (true, received) }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (true, received) }
            received.append(contentsOf: buffer[0..<n])
        }
        return (false, received)
    }

    /// Who holds the server's end of this connection, for a failure message: its TCP state and
    /// the processes with a descriptor for it (from /proc). A server end that a child process
    /// inherited stays open after the server closes it, which no timeout in the server can fix.
    public func serverEnd() -> String {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return "getsockname failed" }
        let hex = String(UInt16(bigEndian: address.sin_port), radix: 16, uppercase: true)
        let clientPort = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        // Read to the end: procfs hands out a page per read, and String(contentsOfFile:) stops after one.
        guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/net/tcp")).readToEnd() else { return "no /proc/net/tcp" }
        let table = String(decoding: data, as: UTF8.self)
        // Fields: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        let row = table.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.count > 9 && $0[2].hasSuffix(":" + clientPort) }
        guard let row else { return "the server end is gone (no row in /proc/net/tcp for port \(clientPort); \(table.count) bytes)" }
        let link = "socket:[\(row[9])]"
        var holders: [String] = []
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in processes where pid.allSatisfy(\.isNumber) {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            let holds = descriptors.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == link }
            if holds {
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?
                    .replacingOccurrences(of: "\0", with: " ").prefix(80) ?? ""
                holders.append("\(pid) (\(command))")
            }
        }
        return "server end: TCP state \(row[3]), held by \(holders.isEmpty ? "no process" : holders.joined(separator: ", "))"
    }

    /// What the server sends until it has sent `marker` (or closed the connection, or `timeout`
    /// has passed). Reads on a thread of its own, as ``waitUntilClosed(timeout:)`` does.
    public func read(until marker: String, timeout: Duration) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = ContinuousClock.now + timeout
                var received = Data()
                while ContinuousClock.now < deadline, !String(decoding: received, as: UTF8.self).contains(marker) {
                    let part = self.read(timeout: .milliseconds(100))
                    received.append(part)
                }
                continuation.resume(returning: String(decoding: received, as: UTF8.self))
            }
        }
    }

    /// Reads what arrives within `timeout` (at most `limit` bytes).
    public func read(timeout: Duration, limit: Int = 1 << 16) -> Data {
        let deadline = ContinuousClock.now + timeout
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while ContinuousClock.now < deadline, out.count < limit {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}
