import ClutchCore
import ClutchServer
import ClutchStore
import Foundation
import HTTPTestSupport
import Logging
import ProcessTestSupport
import ServerTestSupport
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `clutch serve` as a real process: first start, SIGTERM with streams open, and `kill -9` during writes.
@Suite("clutch serve process", .serialized, .enabled(if: ClutchBinary.path != nil, "the clutch binary is not built (swift build --build-tests builds it)"))
struct ProcessTests {
    static func client() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        configuration.urlCache = nil
        return URLSession(configuration: configuration)
    }

    static func send(_ session: URLSession, _ port: Int, _ method: String, _ path: String, body: String? = nil, token: String = ServeProcess.adminToken) async throws -> (Int, Data) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw TestFailure("bad path") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let token = StallWatchdog.shared.started(method, path, port: port, timeout: session.configuration.timeoutIntervalForRequest)
        defer { StallWatchdog.shared.finished(token) }
        let (data, response) = try await session.uncancelledData(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? -1, data)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("clutch-process-\(UUID().uuidString)")
    }

    @Test(.timeLimit(.minutes(1)))
    func firstStartThenSIGTERMWithStreamsOpen() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServeProcess(directory: directory)
        defer { server.forceStop() }
        let session = Self.client()
        defer { session.invalidateAndCancel() }

        // The first start created the token from CLUTCH_BOOTSTRAP_TOKEN without printing it back,
        // and wrote the CLI configuration, mode 0600.
        #expect(server.stdout.contains("Created the first admin token from CLUTCH_BOOTSTRAP_TOKEN"))
        #expect(!server.stdout.contains(ServeProcess.adminToken), "\(server.stdout)")
        #expect(!server.stderr.contains(ServeProcess.adminToken))
        let config = try CLIConfigFile.read(from: server.configPath)
        #expect(config.token == ServeProcess.adminToken)
        #expect(config.server == "http://127.0.0.1:\(server.port)")
        let attributes = try FileManager.default.attributesOfItem(atPath: server.configPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let (status, body) = try await Self.send(session, server.port, "POST", "/api/v1/environments/production/keys", body: #"{"name": "sigterm"}"#)
        #expect(status == 201)
        let key = try #require(try JSONDecoder().decode(Value.self, from: body).at("key")?.stringValue)
        let streams = (0..<3).map { _ in SSEClient(port: server.port, key: key) }
        defer { for stream in streams { stream.close() } }
        for stream in streams { #expect(try await stream.wait { !$0.events.isEmpty }) }

        let exited = try await server.stop(signal: SIGTERM, timeout: .seconds(15))
        #expect(exited, "clutch serve did not exit within 15 s of SIGTERM with 3 streams open")
        if exited { #expect(server.process.termination == .exited(0)) }
        for stream in streams { #expect(try await stream.wait(timeout: .seconds(5)) { $0.isFinished }) }
        // No secret in the logs.
        #expect(!server.stderr.contains(ServeProcess.adminToken))
        #expect(!server.stderr.contains(key))
    }

    /// With a drain period, SIGTERM first turns `/readyz` to 503 `draining` while evaluations and
    /// streams are still served (a proxy's health check takes the server out of rotation), and
    /// only then stops: streams end, the process exits 0.
    @Test(.timeLimit(.minutes(1)))
    func sigtermDrainsBeforeStopping() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServeProcess(directory: directory, environment: ["CLUTCH_DRAIN_SECONDS": "6"])
        defer { server.forceStop() }
        let session = Self.client()
        defer { session.invalidateAndCancel() }
        #expect(try await Self.send(session, server.port, "POST", "/api/v1/flags", body: #"{"key": "banner"}"#).0 == 201)
        let (status, body) = try await Self.send(session, server.port, "POST", "/api/v1/environments/production/keys", body: #"{"name": "drain"}"#)
        #expect(status == 201)
        let key = try #require(try JSONDecoder().decode(Value.self, from: body).at("key")?.stringValue)
        let stream = SSEClient(port: server.port, key: key)
        defer { stream.close() }
        #expect(try await stream.wait { !$0.events.isEmpty })
        #expect(try await Self.send(session, server.port, "GET", "/readyz").0 == 200)

        server.process.signal(SIGTERM)
        let start = ContinuousClock.now
        #expect(try await eventually(timeout: .seconds(5)) {
            let (status, body) = try await Self.send(session, server.port, "GET", "/readyz")
            return status == 503 && String(decoding: body, as: UTF8.self).contains("draining")
        }, "/readyz answers 503 draining after SIGTERM")
        let (evaluated, _) = try await Self.send(
            session, server.port, "POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": {"targetingKey": "u1"}}"#, token: key)
        #expect(evaluated == 200, "evaluations are still served while draining")
        #expect(!stream.isFinished, "streams stay open while draining")
        #expect(server.process.isRunning)

        let exited = try await eventually(timeout: .seconds(30)) { !server.process.isRunning }
        #expect(exited, "clutch serve did not exit after its drain period")
        if exited {
            #expect(server.process.termination == .exited(0))
            #expect(ContinuousClock.now - start >= .seconds(5), "stopped before the drain period was over")
        }
        #expect(try await stream.wait(timeout: .seconds(5)) { $0.isFinished })
    }

    /// Streams whose clients never read, on a large snapshot, cannot hold up SIGTERM: their
    /// connections are closed a second after shutdown begins, well before the 4 s after which
    /// the rest is cancelled (the bound is checked with room for a busy test machine).
    @Test(.timeLimit(.minutes(2)))
    func sigtermWithStreamsThatNeverRead() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServeProcess(directory: directory)
        defer { server.forceStop() }
        let session = Self.client()
        defer { session.invalidateAndCancel() }
        let (status, body) = try await Self.send(session, server.port, "POST", "/api/v1/environments/production/keys", body: #"{"name": "stuck"}"#)
        #expect(status == 201)
        let key = try #require(try JSONDecoder().decode(Value.self, from: body).at("key")?.stringValue)
        let members = (0..<25_000).map { "\"customer-\($0)-with-a-longer-name\"" }.joined(separator: ",")
        // Four cohorts: a snapshot of ~4 MB, more than the socket buffers hold.
        for cohort in 0..<4 {
            let (created, _) = try await Self.send(
                session, server.port, "POST", "/api/v1/environments/production/cohorts",
                body: #"{"key": "everyone-\#(cohort)", "members": [\#(members)]}"#)
            #expect(created == 201)
        }
        var connections: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: server.port, receiveBuffer: 4096)
            try connection.send(RawConnection.streamRequest(key: key))
            connections.append(connection)
        }
        try await Task.sleep(for: .seconds(1))
        let start = ContinuousClock.now
        let exited = try await server.stop(signal: SIGTERM, timeout: .seconds(15))
        let took = ContinuousClock.now - start
        #expect(exited)
        #expect(took < .seconds(3.5), "SIGTERM took \(took) with 20 streams that never read")
        withExtendedLifetime(connections) {}
    }

    @Test(.timeLimit(.minutes(2)))
    func killDashNineLosesNoAcknowledgedWrite() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServeProcess(directory: directory)
        defer { server.forceStop() }
        let session = Self.client()
        defer { session.invalidateAndCancel() }
        let port = server.port

        // Four writers create flags and toggle them until the server dies under them.
        let acknowledged = Acknowledged()
        let writers = (0..<4).map { writer in
            Task {
                var index = 0
                while !Task.isCancelled {
                    let key = "w\(writer)-\(index)"
                    guard let (status, _) = try? await Self.send(session, port, "POST", "/api/v1/flags", body: #"{"key": "\#(key)"}"#) else { return }
                    if status == 201 { await acknowledged.add(key, enabled: false) }
                    guard let (toggled, _) = try? await Self.send(session, port, "POST", "/api/v1/flags/\(key)/environments/production/on") else { return }
                    if toggled == 200 { await acknowledged.add(key, enabled: true) }
                    index += 1
                }
            }
        }
        #expect(try await eventually(timeout: .seconds(30)) { await acknowledged.count >= 40 })
        #expect(try await server.stop(signal: SIGKILL, timeout: .seconds(5)))
        for writer in writers { writer.cancel() }
        for writer in writers { _ = await writer.value }
        let written = await acknowledged.flags
        #expect(written.count >= 40)

        // Restart over the same file: every acknowledged write is there.
        let restarted = try await ServeProcess(directory: directory, run: 1)
        defer { restarted.forceStop() }
        var missing: [String] = []
        for (key, enabled) in written {
            let (status, body) = try await Self.send(session, restarted.port, "GET", "/api/v1/flags/\(key)")
            let value = try? JSONDecoder().decode(Value.self, from: body)
            if status != 200 || (enabled && value?.at("flag.environments.production.enabled") != .bool(true)) {
                missing.append(key)
            }
        }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing)")
        // The restart did not print a new token.
        #expect(!restarted.stdout.contains("Created the first admin token"))
        #expect(try await restarted.stop(signal: SIGTERM))

        let store = try FlagStore(path: server.databasePath, logger: Logger(label: "clutch.crash-test"))
        defer { try? store.close() }
        #expect(try await store.integrityCheck() == "ok")
    }
}

/// Writes the server acknowledged: flag key → whether its production toggle was acknowledged.
actor Acknowledged {
    private(set) var flags: [String: Bool] = [:]
    var count: Int { flags.count }
    func add(_ key: String, enabled: Bool) { flags[key] = enabled || (flags[key] ?? false) }
}
