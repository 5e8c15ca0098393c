import ClutchCore
import ClutchServer
import Foundation
import HTTPTestSupport
import Logging
import PostgresTestSupport
import Synchronization
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer.
public struct Reply: Sendable {
    public var status: Int
    /// Lowercased names.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var contentType: String { headers["content-type"] ?? "" }

    /// The body as a JSON value.
    public func json() throws -> Value {
        try JSONDecoder().decode(Value.self, from: body)
    }

    /// `json()[path]` for a dotted path such as `flag.environments.production.enabled` or `flags[0].key`.
    public subscript(_ path: String) -> Value? {
        guard let root = try? json() else { return nil }
        return root.at(path)
    }

    /// The error code of a JSON error body.
    public var errorCode: String? { self["error.code"]?.stringValue }
    public var errorField: String? { self["error.field"]?.stringValue }
}

public extension Value {
    /// The value at a dotted path (`a.b[2].c`).
    func at(_ path: String) -> Value? {
        var current: Value? = self
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty {
                guard case .object(let object)? = current else { return nil }
                current = object[String(name)]
            }
            for index in indices {
                guard case .array(let array)? = current, index < array.count else { return nil }
                current = array[index]
            }
        }
        return current
    }

    var arrayCount: Int? {
        if case .array(let a) = self { return a.count }
        return nil
    }

    var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var objectValue: [String: Value]? {
        if case .object(let object) = self { return object }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var intValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }
}

/// The real server on 127.0.0.1 with an ephemeral port, in process, over a new SQLite file in a
/// temporary directory or a new database on the test process's PostgreSQL (``ServerBackend``).
///
/// The one server harness of the server, CLI and SDK tests: each adds only what its own tests
/// speak (the CLI runs `clutch` against ``address``, the SDK connects to ``url``).
public final class TestServer: Sendable {
    public static let adminToken = "clutch_admin_test_" + String(repeating: "abcdef0123456789", count: 4)
    /// The token `/metrics` requires when a test sets ``ServerConfiguration/metricsToken``.
    public static let metricsToken = "clutch_metrics_test_" + String(repeating: "0123456789abcdef", count: 2)

    /// What a server is built from, kept for ``restart()``: every option of ``start(_:directory:bootstrapToken:logger:configure:)``
    /// ends up here, so a new one is a field and a line.
    private struct Launch: Sendable {
        var configuration: ServerConfiguration
        var logger: Logger

        func start() async throws -> (ClutchApplication, RunningClutchServer) {
            let application = try await ClutchApplication(configuration: configuration, logger: logger)
            do {
                return (application, try await application.start())
            } catch {
                try? application.close()
                throw error
            }
        }
    }

    private struct State: Sendable {
        var launch: Launch
        var application: ClutchApplication
        var running: RunningClutchServer
        /// Whether the server is stopped (``stop(remove:)``) and not yet restarted.
        var stopped = false
        var sessionInvalidated = false
    }

    public let directory: URL
    /// The port, kept across ``restart()``.
    public let port: Int
    public let session: URLSession
    private let state: Mutex<State>

    /// The configuration the server runs with.
    public var configuration: ServerConfiguration { state.withLock { $0.launch.configuration } }
    /// The application of the current run (a ``restart()`` makes a new one).
    public var application: ClutchApplication { state.withLock { $0.application } }
    public var running: RunningClutchServer { state.withLock { $0.running } }
    /// The metrics listener's port (every test server has one, on 127.0.0.1).
    public var metricsPort: Int { running.metricsPort ?? 0 }
    /// The SQLite file, or the PostgreSQL URL.
    public var databasePath: String { configuration.databasePath }
    /// `http://127.0.0.1:PORT`.
    public var address: String { "http://127.0.0.1:\(port)" }
    public var url: URL {
        get throws {
            guard let url = URL(string: address) else { throw TestFailure("no URL for \(address)") }
            return url
        }
    }

    /// Starts a server on `backend`; `directory` reuses an earlier server's files (a restart on
    /// another port); `logger` replaces the server's own (for a test that reads what it logs).
    public static func start(
        _ backend: ServerBackend = .sqlite, directory: URL? = nil, bootstrapToken: String? = TestServer.adminToken,
        logger custom: Logger? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("clutch-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, databasePath: directory.appendingPathComponent("clutch.db").path,
            bootstrapToken: bootstrapToken, cliConfigPath: directory.appendingPathComponent("config/clutch.json").path)
        if backend == .postgres { configuration.databasePath = try await TestPostgres.database() }
        configuration.heartbeatInterval = .milliseconds(300)
        configuration.checkContract = true  // every request these tests send and every answer they see is held to docs/openapi.json
        configuration.metricsAddress = ("127.0.0.1", 0)  // /metrics is served there (``metrics()``)
        configure(&configuration)
        var logger = Logger(label: "clutch.test-server")
        // CLUTCH_TEST_LOG_LEVEL=debug shows, among the rest, each service of a server starting and ending.
        logger.logLevel = ProcessInfo.processInfo.environment["CLUTCH_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        var launch = Launch(configuration: configuration, logger: custom ?? logger)
        let (application, running) = try await launch.start()
        // A restart comes back on the same port: clients configured with ``url`` reconnect.
        launch.configuration.port = running.port
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.timeoutIntervalForRequest = 15
        return TestServer(
            directory: directory, port: running.port, session: URLSession(configuration: sessionConfiguration),
            state: State(launch: launch, application: application, running: running))
    }

    private init(directory: URL, port: Int, session: URLSession, state: State) {
        self.directory = directory
        self.port = port
        self.session = session
        self.state = Mutex(state)
    }

    deinit {
        if !state.withLock({ $0.sessionInvalidated }) { session.invalidateAndCancel() }
    }

    /// Stops serving (open streams end) and closes the database; `remove` also deletes its files
    /// (and ends this server's HTTP session), otherwise ``restart()`` can start it again.
    public func stop(remove: Bool = true) async throws {
        let (current, invalidate) = state.withLock { state -> ((ClutchApplication, RunningClutchServer)?, Bool) in
            defer {
                state.stopped = true
                if remove { state.sessionInvalidated = true }
            }
            return (state.stopped ? nil : (state.application, state.running), remove && !state.sessionInvalidated)
        }
        if invalidate { session.invalidateAndCancel() }
        if let (application, running) = current {
            try await running.stop()
            try application.close()
        }
        if remove { try? FileManager.default.removeItem(at: directory) }
    }

    /// Starts a stopped server again on the same port and database. The port was just freed, so a
    /// few tries may be needed.
    public func restart() async throws {
        let launch = state.withLock { $0.launch }
        var lastError: (any Error)?
        for _ in 0..<50 {
            do {
                let (application, running) = try await launch.start()
                state.withLock { state in
                    state.application = application
                    state.running = running
                    state.stopped = false
                }
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? TestFailure("could not restart on port \(port)")
    }

    /// Runs `body` with a fresh server on `backend`, then stops it and deletes its files even when
    /// `body` throws.
    public static func with(
        _ backend: ServerBackend = .sqlite, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let server = try await start(backend, configure: configure)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    public enum Credential: Sendable {
        case none
        case admin
        case bearer(String)
        case apiKey(String)
    }

    /// Sends a request. `body` is sent as-is with `Content-Type: application/json` unless `headers` says otherwise.
    @discardableResult
    public func send(
        _ method: String, _ path: String, body: String? = nil, as credential: Credential = .admin,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        try await send(method, path, data: body.map { Data($0.utf8) }, as: credential, headers: headers)
    }

    @discardableResult
    public func send(
        _ method: String, _ path: String, data: Data?, as credential: Credential = .admin, headers: [String: String] = [:],
        timeout: TimeInterval = 15, port: Int? = nil
    ) async throws -> Reply {
        let port = port ?? self.port
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw TestFailure("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let data {
            request.httpBody = data
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        Self.authorize(&request, credential)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let token = StallWatchdog.shared.started(method, path, port: port, timeout: timeout)
        defer { StallWatchdog.shared.finished(token) }
        let (body, response) = try await session.uncancelledData(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return Reply(status: http.statusCode, headers: fields, body: body)
    }

    /// Sends a request that must be answered with `expected`; any other answer throws, naming the
    /// request and the answer.
    @discardableResult
    public func mustSend(
        _ method: String, _ path: String, body: String? = nil, as credential: Credential = .admin, expected: Int = 200
    ) async throws -> Reply {
        let reply = try await send(method, path, body: body, as: credential)
        guard reply.status == expected else { throw TestFailure("\(method) \(path) answered \(reply.status): \(reply.text)") }
        return reply
    }

    public static func authorize(_ request: inout URLRequest, _ credential: Credential) {
        switch credential {
        case .none: break
        case .admin: request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization")
        case .bearer(let token): request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        case .apiKey(let key): request.setValue(key, forHTTPHeaderField: "X-API-Key")
        }
    }

    /// `GET /metrics` on the metrics listener, with the metrics token when the server requires one.
    public func metrics() async throws -> Reply {
        let credential: Credential = configuration.metricsToken.map { .bearer($0) } ?? .none
        return try await send("GET", "/metrics", data: nil, as: credential, port: metricsPort)
    }

    /// Creates an SDK key for `environment` (a server key unless `kind` says `client`) and returns `(id, secret)`.
    public func createKey(_ environment: String = "production", name: String = "test", kind: String? = nil) async throws -> (id: String, key: String) {
        let body = kind.map { #"{"name": "\#(name)", "kind": "\#($0)"}"# } ?? #"{"name": "\#(name)"}"#
        let reply = try await send("POST", "/api/v1/environments/\(environment)/keys", body: body)
        guard reply.status == 201, let id = reply["id"]?.stringValue, let key = reply["key"]?.stringValue else {
            throw TestFailure("creating a key failed: \(reply.status) \(reply.text)")
        }
        return (id, key)
    }

    /// Creates a flag from JSON and fails unless the server answers 201.
    @discardableResult
    public func createFlag(_ json: String) async throws -> Reply {
        let reply = try await send("POST", "/api/v1/flags", body: json)
        guard reply.status == 201 else { throw TestFailure("creating a flag failed: \(reply.status) \(reply.text)") }
        return reply
    }

    /// Makes `email` a member (an editor): a flag's owner names a member.
    public func addPerson(_ email: String) async throws {
        let reply = try await send("POST", "/api/v1/users", body: #"{"email": "\#(email)", "role": "editor"}"#)
        guard reply.status == 201 else { throw TestFailure("adding \(email) failed: \(reply.status) \(reply.text)") }
    }
}
