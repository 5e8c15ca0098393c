import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to the test server, for what no well-behaved HTTP client does: sending
/// half a request, or asking for a stream and never reading it.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`. A small `receiveBuffer` makes a client that does not read
    /// stall the server's writes sooner.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
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
    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send() failed") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// The request for the change stream with `key`.
    static func streamRequest(key: String) -> String {
        "GET /sdk/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nAccept: text/event-stream\r\n\r\n"
    }

    /// Reads (and discards) until the server closes the connection; `false` if it is still
    /// open after `timeout`.
    ///
    /// Waits on a thread of its own: blocking one of the few threads of Swift's cooperative pool
    /// would stall the in-process server whose closing the test waits for.
    func waitUntilClosed(timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.waitUntilClosedBlocking(timeout: timeout)) }
        }
    }

    private func waitUntilClosedBlocking(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready < 0 { return true }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
        }
        return false
    }

    /// Reads what arrives within `timeout` (at most `limit` bytes).
    func read(timeout: Duration, limit: Int = 1 << 16) -> Data {
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

/// This process's resident memory in bytes (the in-process server's included).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}
