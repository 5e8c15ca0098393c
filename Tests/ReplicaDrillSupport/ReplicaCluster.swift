import AsyncHTTPClient
import Foundation
import NIOHTTP1
import PostgresTestSupport
import TestSupport

/// Three (or `count`) `clutch serve` replicas on one PostgreSQL database behind HAProxy, as the
/// README deploys them: the database is a fresh one on the test PostgreSQL (``TestPostgres``),
/// the proxy's configuration the shipped example's. Holds one admin token and one SDK key for
/// the `production` environment, and the drill's flag `drill-counter`, an integer flag whose
/// one variant's value is the number of the last change (``setCounter(_:via:)``).
public final class ReplicaCluster: Sendable {
    public static let adminToken = "clutch_admin_drill_" + String(repeating: "0123456789abcdef", count: 4)
    public static let counterFlag = "drill-counter"

    public let replicas: [ReplicaProcess]
    public let proxy: HAProxyProcess
    public let client: HTTPClient
    public let sdkKey: String
    public let directory: URL

    public var proxyURL: String { "http://127.0.0.1:\(proxy.port)" }

    /// Starts everything; on failure, stops what it started.
    /// - Parameters:
    ///   - binary: the `clutch` executable (debug in tests, release in the benchmark).
    ///   - drainSeconds: the replicas' `CLUTCH_DRAIN_SECONDS`.
    ///   - checkContract: `CLUTCH_CHECK_CONTRACT=1`, as every test server runs.
    public static func start(
        binary: String, count: Int = 3, drainSeconds: Double = 5, checkContract: Bool, connections: Int = 64
    ) async throws -> ReplicaCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-drill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let environment = serverEnvironment(
            database: try await TestPostgres.database(), directory: directory, drainSeconds: drainSeconds, checkContract: checkContract)
        let client = DrillHTTP.makeClient(connections: connections)
        var replicas: [ReplicaProcess] = []
        do {
            for index in 1...count {
                replicas.append(ReplicaProcess(
                    name: "clutch-\(index)", port: try TestPostgres.freePort(), binary: binary, environment: environment,
                    directory: directory))
            }
            // Together, as an orchestrator starts them: the migration runs once, under its lock.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for replica in replicas { group.addTask { try await replica.start(client: client) } }
                try await group.waitForAll()
            }
            let proxy = try await HAProxyProcess(directory: directory, servers: replicas.map(\.port), client: client)
            do {
                for replica in replicas { try await proxy.wait(server: replica.name, state: "UP", client: client) }
                let sdkKey = try await setUp(client: client, replica: replicas[0])
                // The key and the flag created on one replica reach the others with their own
                // notifications (milliseconds, in either order): the drill starts once every
                // replica evaluates the flag with the key.
                for replica in replicas.dropFirst() {
                    let deadline = ContinuousClock.now + .seconds(30)
                    while try await DrillHTTP.call(
                        client, .POST, "\(replica.baseURL)/ofrep/v1/evaluate/flags/\(counterFlag)",
                        body: #"{"context": {"targetingKey": "drill"}}"#, bearer: sdkKey
                    ).status != 200 {
                        guard ContinuousClock.now < deadline else { throw TestFailure("\(replica.name) never served \(counterFlag) with the new SDK key") }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                return ReplicaCluster(replicas: replicas, proxy: proxy, client: client, sdkKey: sdkKey, directory: directory)
            } catch {
                proxy.forceStop()
                throw error
            }
        } catch {
            for replica in replicas { replica.forceStop() }
            try? await client.shutdown()
            throw error
        }
    }

    /// What a drill server runs with: this process's environment without `PG*` and `CLUTCH_*`
    /// variables, plus the database, the admin token and the drain period.
    public static func serverEnvironment(database: String, directory: URL, drainSeconds: Double, checkContract: Bool) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("PG") || name.hasPrefix("CLUTCH_") { environment[name] = nil }
        environment["CLUTCH_DB"] = database
        environment["CLUTCH_BOOTSTRAP_TOKEN"] = adminToken
        environment["CLUTCH_CONFIG"] = directory.appendingPathComponent("cli.json").path
        environment["CLUTCH_LOG_LEVEL"] = "notice"
        environment["CLUTCH_DRAIN_SECONDS"] = "\(drainSeconds)"
        if checkContract { environment["CLUTCH_CHECK_CONTRACT"] = "1" }
        return environment
    }

    private init(replicas: [ReplicaProcess], proxy: HAProxyProcess, client: HTTPClient, sdkKey: String, directory: URL) {
        self.replicas = replicas
        self.proxy = proxy
        self.client = client
        self.sdkKey = sdkKey
        self.directory = directory
    }

    /// The counter flag at 0 and an SDK key for production, created through `replica`; the key.
    public static func setUp(client: HTTPClient, replica: ReplicaProcess) async throws -> String {
        let created = try await DrillHTTP.call(
            client, .POST, "\(replica.baseURL)/api/v1/flags", body: counterDefinition(0), bearer: adminToken)
        guard created.status == 201 else { throw TestFailure("creating \(counterFlag): \(created.status) \(created.body)") }
        let key = try await DrillHTTP.call(
            client, .POST, "\(replica.baseURL)/api/v1/environments/production/keys", body: #"{"name": "drill"}"#, bearer: adminToken)
        guard key.status == 201, let secret = jsonField(key.body, "key") else {
            throw TestFailure("creating an SDK key: \(key.status) \(key.body)")
        }
        return secret
    }

    /// The counter flag serving `value` in production.
    static func counterDefinition(_ value: Int) -> String {
        #"{"key": "\#(counterFlag)", "type": "integer", "variants": [{"key": "current", "value": \#(value)}], "offVariant": "current", "environments": {"production": {"enabled": true, "default": {"variant": "current"}}}}"#
    }

    /// Sets the counter flag to `value` through the proxy (`via == nil`) or one replica directly.
    @discardableResult
    public func setCounter(_ value: Int, via replica: ReplicaProcess? = nil) async throws -> DrillReply {
        let base = replica?.baseURL ?? proxyURL
        return try await DrillHTTP.call(
            client, .PUT, "\(base)/api/v1/flags/\(Self.counterFlag)", body: Self.counterDefinition(value), bearer: Self.adminToken)
    }

    /// An admin call through the proxy or to one replica.
    public func admin(_ method: HTTPMethod, _ path: String, body: String? = nil, via replica: ReplicaProcess? = nil) async throws -> DrillReply {
        try await DrillHTTP.call(client, method, "\(replica?.baseURL ?? proxyURL)\(path)", body: body, bearer: Self.adminToken)
    }

    /// Drains and stops one replica (SIGTERM), waits until HAProxy has it down, starts it again
    /// and waits until HAProxy has it back up. Whether the old process exited by itself.
    public func restart(_ replica: ReplicaProcess) async throws -> Bool {
        let exited = await replica.drainAndStop()
        try await proxy.wait(server: replica.name, state: "DOWN", client: client)
        try await replica.start(client: client)
        try await proxy.wait(server: replica.name, state: "UP", client: client)
        return exited
    }

    /// Stops everything: the replicas (SIGINT, bounded), the proxy, the HTTP client.
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas { group.addTask { await replica.stop() } }
        }
        await proxy.stop()
        try? await client.shutdown()
    }

    /// Ends everything at once (cleanup after a failure).
    public func forceStop() async {
        for replica in replicas { replica.forceStop() }
        proxy.forceStop()
        try? await client.shutdown()
    }
}

/// A top-level string field of a JSON object, if there is one.
func jsonField(_ json: String, _ name: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
    return object[name] as? String
}
