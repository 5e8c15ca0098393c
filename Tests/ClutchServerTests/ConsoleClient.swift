import Foundation
import ServerTestSupport
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client for the console tests: one request per connection, no redirects
/// followed, no cookies kept, every header as given (`Origin`, `Cookie`, `Sec-Fetch-Site`), so
/// each test states exactly what a browser would send.
struct ConsoleClient: Sendable {
    let port: Int
    /// The session cookie's value, sent as `Cookie: clutch_session=…` when set.
    var session: String?

    /// The origin a page of this server has.
    var origin: String { "http://127.0.0.1:\(port)" }

    struct Answer: Sendable {
        var status: Int
        /// Lowercased names; a repeated header keeps its last value.
        var headers: [String: String]
        var body: String

        var location: String? { headers["location"] }
        var setCookie: String? { headers["set-cookie"] }

        /// The value of `clutch_session` in `Set-Cookie`.
        var sessionCookie: String? {
            guard let header = setCookie, header.hasPrefix("clutch_session=") else { return nil }
            return String(header.dropFirst("clutch_session=".count).prefix { $0 != ";" })
        }

        /// The value of the first hidden `csrf` field on the page.
        var csrf: String? {
            guard let range = body.range(of: #"name="csrf" value=""#) else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Answer {
        try await send("GET", path, body: nil, headers: headers)
    }

    /// A form POST; `origin` `nil` sends no `Origin` header.
    func post(_ path: String, form: [(String, String)], origin: String?? = .none, headers: [String: String] = [:]) async throws -> Answer {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        switch origin {
        case .none: headers["Origin"] = self.origin
        case .some(.some(let value)): headers["Origin"] = value
        case .some(.none): break
        }
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: body, headers: headers)
    }

    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Sends on a thread of its own: the socket calls block, and blocking the few threads of
    /// Swift's cooperative pool would stall the in-process server the test talks to.
    func send(_ method: String, _ path: String, body: String?, headers: [String: String]) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.sendBlocking(method, path, body: body, headers: headers) })
            }
        }
    }

    private func sendBlocking(_ method: String, _ path: String, body: String?, headers: [String: String]) throws -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let session { head += "Cookie: clutch_session=\(session)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { head += "Content-Length: \(bodyBytes.count)\r\n" }
        let raw = try Self.exchange(port: port, bytes: Array((head + "\r\n").utf8) + bodyBytes)
        return try Self.parse(raw)
    }

    private static func exchange(port: Int, bytes: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        // Generous: a page answers in milliseconds, but a CI machine busy with a build or with
        // the other suites' servers has stalled one for over 15 s; a hang still ends the test.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect() failed") }
        var rest = bytes[...]
        while !rest.isEmpty {
            let sent = rest.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send() failed") }
            rest = rest.dropFirst(sent)
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw TestFailure("recv() failed or timed out") }
            if n == 0 { break }
            received += buffer[..<n]
        }
        return received
    }

    private static func parse(_ raw: [UInt8]) throws -> Answer {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no end of head in: \(text.prefix(200))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { throw TestFailure("bad status line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Answer(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ text: String) -> String {
        var bytes = Array(text.utf8)[...]
        var out: [UInt8] = []
        while let end = bytes.firstIndex(of: UInt8(ascii: "\r")) {
            let sizeText = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = end + 2
            guard start + size <= bytes.endIndex else { break }
            out += bytes[start..<(start + size)]
            bytes = bytes[(start + size + 2)...]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
