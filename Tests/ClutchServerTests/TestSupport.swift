import ClutchCore
import ClutchServer
import Foundation
import HTTPTestSupport
import ProcessTestSupport
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failure inside a test helper.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An HTTP answer.
struct Reply: Sendable {
    var status: Int
    /// Lowercased names.
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON value.
    func json() throws -> Value {
        try JSONDecoder().decode(Value.self, from: body)
    }

    /// `json()[path]` for a dotted path such as `flag.environments.production.enabled` or `flags[0].key`.
    subscript(_ path: String) -> Value? {
        guard let root = try? json() else { return nil }
        return root.at(path)
    }

    /// The error code of a JSON error body.
    var errorCode: String? { self["error.code"]?.stringValue }
    var errorField: String? { self["error.field"]?.stringValue }
}

extension Value {
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

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var intValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }
}

/// A real server on 127.0.0.1 with an ephemeral port over a new SQLite file in a temporary directory.
final class TestServer: Sendable {
    static let adminToken = "clutch_admin_test_" + String(repeating: "abcdef0123456789", count: 4)
    /// The token `/metrics` requires when a test sets ``ServerConfiguration/metricsToken``.
    static let metricsToken = "clutch_metrics_test_" + String(repeating: "0123456789abcdef", count: 2)

    let directory: URL
    let configuration: ServerConfiguration
    let application: ClutchApplication
    let running: RunningClutchServer
    let session: URLSession

    var port: Int { running.port }
    /// The metrics listener's port (every test server has one, on 127.0.0.1).
    var metricsPort: Int { running.metricsPort ?? 0 }
    var databasePath: String { configuration.databasePath }

    /// Starts a server; `directory` reuses an earlier server's files (a restart); `logger`
    /// replaces the server's own (for a test that reads what it logs).
    static func start(
        directory: URL? = nil, bootstrapToken: String? = TestServer.adminToken, logger custom: Logger? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("clutch-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, databasePath: directory.appendingPathComponent("clutch.db").path,
            bootstrapToken: bootstrapToken, cliConfigPath: directory.appendingPathComponent("config/clutch.json").path)
        configuration.heartbeatInterval = .milliseconds(300)
        configuration.checkContract = true  // every response these tests see is held to docs/openapi.json
        configuration.metricsAddress = ("127.0.0.1", 0)  // /metrics is served there (``metrics()``)
        configure(&configuration)
        var logger = Logger(label: "clutch.server-tests")
        // CLUTCH_TEST_LOG_LEVEL=debug shows, among the rest, each service of a server starting and ending.
        logger.logLevel = ProcessInfo.processInfo.environment["CLUTCH_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let application = try await ClutchApplication(configuration: configuration, logger: custom ?? logger)
        let running = try await application.start()
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.timeoutIntervalForRequest = 15
        return TestServer(
            directory: directory, configuration: configuration, application: application, running: running,
            session: URLSession(configuration: sessionConfiguration))
    }

    private init(directory: URL, configuration: ServerConfiguration, application: ClutchApplication, running: RunningClutchServer, session: URLSession) {
        self.directory = directory
        self.configuration = configuration
        self.application = application
        self.running = running
        self.session = session
    }

    /// Stops the server and closes the database; `remove` deletes its files.
    func stop(remove: Bool = true) async throws {
        session.invalidateAndCancel()
        try await running.stop()
        try application.close()
        if remove { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs `body` with a fresh server, then stops it even when `body` throws.
    static func with(
        configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
    ) async throws {
        let server = try await start(configure: configure)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    enum Credential: Sendable {
        case none
        case admin
        case bearer(String)
        case apiKey(String)
    }

    /// Sends a request. `body` is sent as-is with `Content-Type: application/json` unless `headers` says otherwise.
    @discardableResult
    func send(
        _ method: String, _ path: String, body: String? = nil, as credential: Credential = .admin,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        try await send(method, path, data: body.map { Data($0.utf8) }, as: credential, headers: headers)
    }

    @discardableResult
    func send(
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

    static func authorize(_ request: inout URLRequest, _ credential: Credential) {
        switch credential {
        case .none: break
        case .admin: request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization")
        case .bearer(let token): request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        case .apiKey(let key): request.setValue(key, forHTTPHeaderField: "X-API-Key")
        }
    }

    /// `GET /metrics` on the metrics listener, with the metrics token when the server requires one.
    func metrics() async throws -> Reply {
        let credential: Credential = configuration.metricsToken.map { .bearer($0) } ?? .none
        return try await send("GET", "/metrics", data: nil, as: credential, port: metricsPort)
    }

    /// Creates an SDK key for `environment` and returns `(id, secret)`.
    func createKey(_ environment: String, name: String = "test") async throws -> (id: String, key: String) {
        let reply = try await send("POST", "/api/v1/environments/\(environment)/keys", body: #"{"name": "\#(name)"}"#)
        guard reply.status == 201, let id = reply["id"]?.stringValue, let key = reply["key"]?.stringValue else {
            throw TestFailure("creating a key failed: \(reply.status) \(reply.text)")
        }
        return (id, key)
    }

    /// Creates a flag from JSON and fails unless the server answers 201.
    @discardableResult
    func createFlag(_ json: String) async throws -> Reply {
        let reply = try await send("POST", "/api/v1/flags", body: json)
        guard reply.status == 201 else { throw TestFailure("creating a flag failed: \(reply.status) \(reply.text)") }
        return reply
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}

/// Whether `python3 -c "import <modules>"` succeeds here: the Python-driven tests skip, saying
/// why, where what they need is not installed.
func pythonCanImport(_ modules: String) -> Bool {
    Subprocess.succeeds(["/usr/bin/env", "python3", "-c", "import \(modules)"])
}
