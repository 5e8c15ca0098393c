import AsyncHTTPClient
import ClutchAPI
import ClutchCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Talks to the admin API (`/api/v1/…`) with a bounded timeout, turning failures into
/// one-line ``CLIError``s that say what to do.
///
/// Over AsyncHTTPClient, as the SDK is: FoundationNetworking's URLSession uploaded a 1.9 MB import
/// in 16 s (curl: 2 s) and hung with several requests in flight.
struct AdminClient: Sendable {
    /// How long one request may take before the server counts as unreachable:
    /// `CLUTCH_TIMEOUT` seconds, 10 by default.
    static let timeout: TimeInterval = {
        if let text = ProcessInfo.processInfo.environment["CLUTCH_TIMEOUT"], let seconds = Double(text),
            seconds.isFinite, seconds > 0
        {
            return seconds
        }
        return 10
    }()

    /// How long a request may wait for its answer.
    enum Patience: Sendable {
        /// ``AdminClient/timeout`` for the connection and for each wait for bytes: an ordinary request.
        case bounded
        /// ``AdminClient/timeout`` for the connection only, then as long as the server works on it: an
        /// import is answered once it has committed, and a CLI that gave up first would report
        /// failure for a change that happened.
        case untilAnswered
    }

    /// The clients, made once per process and never shut down (the process ends instead).
    private static let bounded = makeClient(readTimeout: true)
    private static let patient = makeClient(readTimeout: false)

    private static func makeClient(readTimeout: Bool) -> HTTPClient {
        let seconds = TimeAmount.nanoseconds(Int64(timeout * 1e9))
        var configuration = HTTPClient.Configuration(
            timeout: HTTPClient.Configuration.Timeout(connect: seconds, read: readTimeout ? seconds : nil))
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 8)
        // A refused connection is said at once: retrying until the connect timeout made a CLI run
        // against a stopped server wait 10 s to say "connection refused".
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The largest answer read into memory (an export of tens of thousands of flags is far smaller).
    static let maxResponseBytes = 512 << 20

    let endpoint: ClientEndpoint

    init(endpoint: ClientEndpoint) {
        self.endpoint = endpoint
    }

    /// One answer of the server.
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        /// The body as a JSON value (for `--json`).
        func json() throws -> Value {
            guard !body.isEmpty else { return .null }
            do {
                return try ClutchJSON.decode(Value.self, from: body)
            } catch {
                throw CLIError.failed("the server sent a response that is not JSON")
            }
        }

        /// The body decoded as `T`.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do {
                return try ClutchJSON.decode(type, from: body)
            } catch {
                throw CLIError.failed("unexpected response from the server: \(AdminClient.describe(error))")
            }
        }

        /// A header, case-insensitively.
        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Sends a request to `/api/v1/` + `path` (segments are percent-encoded here).
    func send(
        _ method: String, _ path: [String], query: [(String, String)] = [], body: Data? = nil,
        contentType: String = "application/json", ifMatch: Int64? = nil, message: String? = nil,
        patience: Patience = .bounded
    ) async throws -> Response {
        let url = try self.url(path, query: query)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "clutch-cli/\(ClutchVersion.current)")
        if let token = endpoint.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let ifMatch { request.headers.add(name: "If-Match", value: "\"\(ifMatch)\"") }
        if let message, !message.isEmpty {
            request.headers.add(name: "X-Clutch-Message", value: AdminClient.headerSafe(message))
        }

        let client = patience == .bounded ? Self.bounded : Self.patient
        let response: Response
        do {
            // The deadline covers the answer's head; the client's read timeout (bounded requests)
            // covers each wait for the body's bytes.
            let deadline: TimeAmount = patience == .bounded ? .nanoseconds(Int64(Self.timeout * 1e9)) : .hours(24)
            let answer = try await client.execute(request, timeout: deadline)
            let bytes = try await answer.body.collect(upTo: Self.maxResponseBytes)
            var headers: [String: String] = [:]
            for header in answer.headers { headers[header.name] = header.value }
            response = Response(status: Int(answer.status.code), headers: headers, body: Data(bytes.readableBytesView))
        } catch {
            throw CLIError.failed(
                "cannot reach the Clutch server at \(endpoint.server.absoluteString): \(AdminClient.describe(error))",
                hint: "is 'clutch serve' running? point --server or CLUTCH_URL at it")
        }
        guard (200..<300).contains(response.status) else { throw failure(response, ifMatch: ifMatch) }
        if method != "GET" { Self.printWarnings(response.body) }
        return response
    }

    /// Every write path warns the same way: the server's ``AttributeWarning``s (in the answer's
    /// `warnings`, or a dry run's `record.warnings`), each on stderr as `warning: …` — advice on a
    /// change made: the command still succeeds, and `--json` output on stdout stays parseable.
    static func printWarnings(_ body: Data) {
        guard body.range(of: Data(#""warnings""#.utf8)) != nil, case .object(let answer)? = try? ClutchJSON.decode(Value.self, from: body)
        else { return }
        var lists = [answer["warnings"]]
        if case .object(let record)? = answer["record"] { lists.append(record["warnings"]) }
        for case .array(let warnings)? in lists {
            for case .object(let warning) in warnings {
                guard let message = warning["message"]?.stringValue else { continue }
                Terminal.error(Style.yellow("warning: \(Output.printable(message))"))
            }
        }
    }

    /// Sends `object` as the JSON body.
    func send<Body: Encodable>(
        _ method: String, _ path: [String], json object: Body, query: [(String, String)] = [],
        ifMatch: Int64? = nil, message: String? = nil
    ) async throws -> Response {
        let body: Data
        do {
            body = try ClutchJSON.encode(object)
        } catch {
            throw CLIError.failed("cannot encode the request: \(error)")
        }
        return try await send(method, path, query: query, body: body, ifMatch: ifMatch, message: message)
    }

    private func url(_ path: [String], query: [(String, String)]) throws -> URL {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        let encoded = path.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
        var base = endpoint.server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard var components = URLComponents(string: base + "/\(AdminAPI.path)/" + encoded.joined(separator: "/")) else {
            throw CLIError.usage("invalid server URL '\(base)'")
        }
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw CLIError.usage("invalid server URL '\(base)'") }
        return url
    }

    /// The error the server described, with a hint where one helps.
    func failure(_ response: Response, ifMatch: Int64?) -> CLIError {
        guard let envelope = try? ClutchJSON.decode(ErrorBody.self, from: response.body) else {
            let reason = HTTPResponseStatus(statusCode: response.status).reasonPhrase
            return .failed(
                "\(endpoint.server.absoluteString) answered HTTP \(response.status) (\(reason)) without a Clutch error",
                hint: "is --server or CLUTCH_URL pointing at a Clutch server?")
        }
        var message = envelope.error.message
        if let field = envelope.error.field, !field.isEmpty, !message.contains(field) {
            message = "\(field): \(message)"
        }
        let hint: String?
        switch response.status {
        case 401:
            hint = "check --token or CLUTCH_TOKEN, or run 'clutch login --server URL --token TOKEN'"
        case 403:
            // The server's message already says which credential the route needs.
            hint = message.contains("admin token") ? "admin tokens start with clutch_admin_" : "use an admin token (clutch_admin_…), not an SDK key"
        case 409 where ifMatch != nil:
            message = "conflict: \(message)"
            hint = AdminClient.conflictHint
        default:
            hint = nil
        }
        return .refused(message, hint: hint, code: envelope.error.code)
    }

    static let conflictHint = "someone changed it since it was read; run the command again to apply it to the latest revision"

    /// `text` as an HTTP header value: non-ASCII, control characters and `%` percent-encoded
    /// (the server decodes them).
    static func headerSafe(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// A short description of a transport or decoding error.
    static func describe(_ error: any Error) -> String {
        let seconds = "no answer within \(timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)) s"
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout: return seconds
            case .remoteConnectionClosed, .cancelled: return "connection lost"
            case .invalidURL, .emptyHost, .emptyScheme: return "invalid server URL"
            case .bodyLengthMismatch: return "the answer was cut off"
            default: return "\(client)"
            }
        }
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty { return "unknown host" }
            if let first = connection.connectionErrors.first?.error { return describe(first) }
            return "connection failed"
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ETIMEDOUT: return seconds
            case ECONNRESET, EPIPE: return "connection lost"
            case ENETUNREACH, EHOSTUNREACH: return "no route to the server"
            default: return io.description
            }
        }
        if let channel = error as? ChannelError {
            if case .connectTimeout = channel { return seconds }
            return "connection lost"
        }
        if error is SocketAddressError { return "unknown host" }
        if let decoding = error as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, let context):
                return "missing '\(Path.render(context.codingPath + [key]))'"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let path = Path.render(context.codingPath)
                return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
        return "\(error)"
    }
}

/// Renders coding paths the way validation errors name fields: `flags[3].environments.production`.
enum Path {
    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }
}

/// The CLI's version, reported in the User-Agent and by `clutch --version`.
enum ClutchVersion {
    static let current = "0.1.0"
}
