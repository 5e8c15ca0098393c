import ClutchServer
@testable import Clutch
import Foundation
import HTTPTestSupport
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failure inside a test helper.
struct HelperFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The real Clutch server, in-process on 127.0.0.1, over a SQLite file in a temporary directory.
/// It can be stopped and started again on the same port and database (a restart).
final class LiveServer: Sendable {
    static let adminToken = "clutch_admin_sdktests_" + String(repeating: "0123456789abcdef", count: 4)

    let directory: URL
    let port: Int
    private let running: Locked<(ClutchApplication, RunningClutchServer)?>
    private let session: URLSession

    var url: URL {
        get throws { try #require(URL(string: "http://127.0.0.1:\(port)")) }
    }
    var databasePath: String { directory.appendingPathComponent("clutch.db").path }

    private init(directory: URL, port: Int, application: ClutchApplication, running: RunningClutchServer) {
        self.directory = directory
        self.port = port
        self.running = Locked((application, running))
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        session = URLSession(configuration: configuration)
    }

    /// Starts a server on a new database and an ephemeral port.
    static func start() async throws -> LiveServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-sdk-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (application, running) = try await launch(directory: directory, port: 0)
        return LiveServer(directory: directory, port: running.port, application: application, running: running)
    }

    private static func launch(directory: URL, port: Int) async throws -> (ClutchApplication, RunningClutchServer) {
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: port, databasePath: directory.appendingPathComponent("clutch.db").path,
            bootstrapToken: adminToken, cliConfigPath: directory.appendingPathComponent("cli.json").path)
        configuration.heartbeatInterval = .milliseconds(500)
        configuration.checkContract = true  // the SDK's requests and the answers it reads follow docs/openapi.json
        var logger = Logger(label: "clutch.sdk-tests.server")
        logger.logLevel = .error
        let application = try await ClutchApplication(configuration: configuration, logger: logger)
        do {
            return (application, try await application.start())
        } catch {
            try? application.close()
            throw error
        }
    }

    /// Stops serving (open streams end) and closes the database; the files stay.
    func stop() async throws {
        guard let (application, running) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        try await running.stop()
        try application.close()
    }

    /// Starts again on the same port and database. The port was just freed, so a few tries may be needed.
    func restart() async throws {
        var lastError: (any Error)?
        for _ in 0..<50 {
            do {
                let started = try await Self.launch(directory: directory, port: port)
                running.withLock { $0 = started }
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? HelperFailure("could not restart on port \(port)")
    }

    /// Stops the server and deletes its files.
    func remove() async {
        try? await stop()
        session.invalidateAndCancel()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh server, removed afterwards even when `body` throws.
    static func with(_ body: (LiveServer) async throws -> Void) async throws {
        let server = try await start()
        do {
            try await body(server)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    /// Sends an admin API request and returns the status and JSON body.
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, json: Value?) {
        var request = URLRequest(url: try url.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(Self.adminToken)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.uncancelledData(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, try? ClutchJSON.decode(Value.self, from: data))
    }

    /// Sends an admin request that must succeed with `expected`.
    @discardableResult
    func mustAdmin(_ method: String, _ path: String, _ body: String? = nil, expected: Int = 200) async throws -> Value? {
        let (status, json) = try await admin(method, path, body)
        guard status == expected else { throw HelperFailure("\(method) \(path) answered \(status): \(json?.jsonText ?? "")") }
        return json
    }

    /// A new SDK key for `environment`.
    func sdkKey(_ environment: String = "production") async throws -> String {
        let json = try await mustAdmin("POST", "api/v1/environments/\(environment)/keys", #"{"name": "sdk-tests"}"#, expected: 201)
        guard case .object(let object)? = json, case .string(let key)? = object["key"] else {
            throw HelperFailure("no key in \(json?.jsonText ?? "nothing")")
        }
        return key
    }

    /// Creates a flag from its JSON form.
    func createFlag(_ json: String) async throws {
        try await mustAdmin("POST", "api/v1/flags", json, expected: 201)
    }
}

/// Polls `condition` until it holds or `timeout` passes; bounds a wait without timing anything.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
