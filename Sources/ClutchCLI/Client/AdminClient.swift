import ClutchCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to the admin API (`/api/v1/…`) with a bounded timeout, turning failures into
/// one-line ``CLIError``s that say what to do.
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

    let endpoint: ClientEndpoint
    /// One session per client, so that concurrent requests (batch explain) share connections.
    private let session: URLSession

    init(endpoint: ClientEndpoint) {
        self.endpoint = endpoint
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = AdminClient.timeout
        configuration.timeoutIntervalForResource = AdminClient.timeout
        configuration.httpMaximumConnectionsPerHost = 8
        self.session = URLSession(configuration: configuration)
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
        contentType: String = "application/json", ifMatch: Int? = nil, message: String? = nil,
        timeout: TimeInterval = AdminClient.timeout
    ) async throws -> Response {
        let url = try self.url(path, query: query)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("clutch-cli/\(ClutchVersion.current)", forHTTPHeaderField: "User-Agent")
        if let token = endpoint.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        if let ifMatch { request.setValue("\"\(ifMatch)\"", forHTTPHeaderField: "If-Match") }
        if let message, !message.isEmpty {
            request.setValue(AdminClient.headerSafe(message), forHTTPHeaderField: "X-Clutch-Message")
        }

        let data: Data
        let urlResponse: URLResponse
        do {
            (data, urlResponse) = try await session.data(for: request)
        } catch {
            throw CLIError.failed(
                "cannot reach the Clutch server at \(endpoint.server.absoluteString): \(AdminClient.describe(error))",
                hint: "is 'clutch serve' running? point --server or CLUTCH_URL at it")
        }
        guard let http = urlResponse as? HTTPURLResponse else {
            throw CLIError.failed("the server at \(endpoint.server.absoluteString) did not answer HTTP")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        let response = Response(status: http.statusCode, headers: headers, body: data)
        guard (200..<300).contains(http.statusCode) else { throw failure(response, ifMatch: ifMatch) }
        return response
    }

    /// Sends `object` as the JSON body.
    func send<Body: Encodable>(
        _ method: String, _ path: [String], json object: Body, query: [(String, String)] = [],
        ifMatch: Int? = nil, message: String? = nil
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
        guard var components = URLComponents(string: base + "/api/v1/" + encoded.joined(separator: "/")) else {
            throw CLIError.usage("invalid server URL '\(base)'")
        }
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw CLIError.usage("invalid server URL '\(base)'") }
        return url
    }

    /// The error the server described, with a hint where one helps.
    func failure(_ response: Response, ifMatch: Int?) -> CLIError {
        struct Envelope: Decodable {
            struct Body: Decodable {
                var code: String?
                var message: String?
                var field: String?
            }
            var error: Body
        }
        guard let envelope = try? ClutchJSON.decode(Envelope.self, from: response.body) else {
            let reason = HTTPURLResponse.localizedString(forStatusCode: response.status)
            return .failed(
                "\(endpoint.server.absoluteString) answered HTTP \(response.status) (\(reason)) without a Clutch error",
                hint: "is --server or CLUTCH_URL pointing at a Clutch server?")
        }
        var message = envelope.error.message ?? "the server answered HTTP \(response.status)"
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
        case 413:
            hint = "the request is larger than 1 MiB"
        default:
            hint = nil
        }
        return .failed(message, hint: hint)
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
        if let urlError = error as? URLError {
            switch urlError.code {
            case .timedOut: return "no answer within \(timeout.rounded() == timeout ? String(Int(timeout)) : String(timeout)) s"
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost, .dnsLookupFailed: return "unknown host"
            case .networkConnectionLost: return "connection lost"
            case .notConnectedToInternet: return "no network"
            default: return urlError.localizedDescription
            }
        }
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
