import ClutchCore
import ClutchServer
import ClutchStore
import Foundation
import Logging
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real server in-process on a loopback ephemeral port over a temporary database, with
/// an admin token, for the SDK benchmarks.
final class BenchServer {
    static let token = "clutch_admin_bench_" + String(repeating: "0123456789abcdef", count: 4)

    let base: URL
    private let directory: URL
    private let application: ClutchApplication
    private let running: RunningClutchServer
    private let session = URLSession(configuration: .ephemeral)

    private init(base: URL, directory: URL, application: ClutchApplication, running: RunningClutchServer) {
        self.base = base
        self.directory = directory
        self.application = application
        self.running = running
    }

    static func start(heartbeatInterval: Duration, logger: Logger) async throws -> BenchServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            var configuration = ServerConfiguration(
                host: "127.0.0.1", port: 0, databasePath: directory.appendingPathComponent("clutch.db").path,
                bootstrapToken: token, cliConfigPath: directory.appendingPathComponent("cli.json").path)
            configuration.heartbeatInterval = heartbeatInterval
            // The webhook benchmark's receiver listens on 127.0.0.1, an internal address.
            configuration.webhooks.targets.allowed = IPNetwork("127.0.0.0/8").map { [$0] } ?? []
            // The admin token exists before the first start, so the server does not announce one on stdout.
            let store = try FlagStore(path: configuration.databasePath, logger: logger)
            _ = try await store.createAdminToken(name: "admin", secret: token)
            try store.close()
            let application = try await ClutchApplication(configuration: configuration, logger: logger)
            let running: RunningClutchServer
            do {
                running = try await application.start()
            } catch {
                try? application.close()
                throw error
            }
            guard let base = URL(string: "http://127.0.0.1:\(running.port)") else { throw TestFailure("no server URL") }
            return BenchServer(base: base, directory: directory, application: application, running: running)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Sends an admin API request that must succeed; returns the body.
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: String? = nil) async throws -> Data {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 600  // importing 10,000 flags
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw TestFailure("\(method) \(path): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    /// A GET with an SDK key that must succeed; returns the body.
    func sdk(_ path: String, key: String) async throws -> Data {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await session.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestFailure("GET \(path) failed") }
        return data
    }

    /// A POST with an SDK key and a JSON body that must succeed (OFREP); returns the body.
    @discardableResult
    func sdkPost(_ path: String, _ body: String, key: String) async throws -> Data {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await session.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestFailure("POST \(path) failed") }
        return data
    }

    /// A new SDK key for production.
    func sdkKey() async throws -> String {
        let reply = try ClutchJSON.decode(Value.self, from: try await admin("POST", "api/v1/environments/production/keys", #"{"name": "bench"}"#))
        guard case .object(let object) = reply, case .string(let key)? = object["key"] else {
            throw TestFailure("no SDK key in the reply")
        }
        return key
    }

    /// Stops the server and deletes its files.
    func stop() async {
        session.finishTasksAndInvalidate()
        try? await running.stop()
        try? application.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` against a fresh server that logs nothing below critical, then stops it; a
    /// failure prints `<figure>: failed (…)` in place of the figures.
    static func withQuietServer(figure: String, _ body: (BenchServer) async throws -> Void) async {
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        do {
            let server = try await BenchServer.start(heartbeatInterval: .seconds(15), logger: logger)
            do {
                try await body(server)
            } catch {
                print("\(figure): failed (\(error))")
            }
            await server.stop()
        } catch {
            print("\(figure): failed (\(error))")
        }
    }
}

