import AsyncHTTPClient
import Foundation
import PostgresTestSupport
import TestSupport

/// HAProxy from Debian's package in front of the replicas, configured from the example users
/// deploy (`examples/replicas/haproxy.cfg`) with only the addresses changed.
public final class HAProxyProcess: Sendable {
    /// The port clients use.
    public let port: Int
    /// The statistics page's port (`/stats;csv`: which replicas are in rotation).
    public let statsPort: Int
    /// HAProxy's output: one line per request (`option httplog`) and its servers going up and down.
    public var logPath: String { child.logPath }
    private let child: ChildProcess

    /// The example configuration in this checkout.
    public static var templatePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/replicas/haproxy.cfg").path
    }

    /// The `haproxy` program: on PATH or where Debian puts it.
    public static func binary() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        for directory in path where FileManager.default.isExecutableFile(atPath: "\(directory)/haproxy") {
            return "\(directory)/haproxy"
        }
        throw TestFailure("haproxy was not found: run scripts/ensure-deps.sh test (it installs Debian's haproxy)")
    }

    /// `template` with its frontend's `bind` on `port`, the stats page's `bind` on `statsPort`
    /// and each backend's first `servers.count` `server` lines (in order) pointing at `servers`
    /// (any further ones left out). Everything else is kept as written.
    public static func configuration(template: String, port: Int, statsPort: Int, servers: [Int]) throws -> String {
        var section = ""
        var serverIndex = 0
        var backends = 0
        var lines: [String] = []
        func endSection() throws {
            guard serverIndex == 0 || serverIndex >= servers.count else {
                throw TestFailure("\(section) has \(serverIndex) server lines for \(servers.count) replicas")
            }
            if serverIndex > 0 { backends += 1 }
            serverIndex = 0
        }
        for line in template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let words = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if !line.hasPrefix(" "), !line.hasPrefix("\t"), let first = words.first, !first.hasPrefix("#") {
                try endSection()
                section = first + " " + (words.dropFirst().first ?? "")
            }
            let indent = String(line.prefix { $0 == " " || $0 == "\t" })
            if words.first == "bind" {
                let address = section.hasPrefix("listen stats") ? "127.0.0.1:\(statsPort)" : "127.0.0.1:\(port)"
                lines.append(indent + (["bind", address] + words.dropFirst(2)).joined(separator: " "))
            } else if words.first == "server", words.count >= 3 {
                // Fewer replicas than the example's three: the extra lines are left out.
                if serverIndex < servers.count {
                    lines.append(indent + ([words[0], words[1], "127.0.0.1:\(servers[serverIndex])"] + words.dropFirst(3)).joined(separator: " "))
                }
                serverIndex += 1
            } else {
                lines.append(line)
            }
        }
        try endSection()
        guard backends > 0 else { throw TestFailure("the template has no server lines") }
        return lines.joined(separator: "\n")
    }

    /// Writes the configuration into `directory`, checks it (`haproxy -c`) and starts HAProxy
    /// in the foreground; returns once its statistics page answers.
    public init(directory: URL, servers: [Int], client: HTTPClient) async throws {
        let template = try String(contentsOfFile: Self.templatePath, encoding: .utf8)
        port = try TestPostgres.freePort()
        statsPort = try TestPostgres.freePort()
        let path = directory.appendingPathComponent("haproxy.cfg").path
        try Self.configuration(template: template, port: port, statsPort: statsPort, servers: servers)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let haproxy = try Self.binary()
        child = try ChildProcess(
            executable: haproxy, arguments: ["-db", "-f", path], environment: ProcessInfo.processInfo.environment,
            logPath: directory.appendingPathComponent("haproxy.log").path)
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await DrillHTTP.call(client, .GET, "http://127.0.0.1:\(statsPort)/stats;csv", timeout: .seconds(2)))?.status != 200 {
            guard child.isRunning, ContinuousClock.now < deadline else {
                child.forceStop()
                throw TestFailure("haproxy did not start: \(child.output())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The backend whose health check is `/readyz` (the example's `replicas`).
    public static let readinessBackend = "replicas"

    /// HAProxy's view of each replica in `backend`: server name → `UP`, `DOWN`, `UP 1/2`, `NOLB`, ….
    public func serverStates(_ client: HTTPClient, backend: String = readinessBackend) async throws -> [String: String] {
        let reply = try await DrillHTTP.call(client, .GET, "http://127.0.0.1:\(statsPort)/stats;csv", timeout: .seconds(5))
        let rows = reply.body.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, let proxy = header.firstIndex(where: { $0.hasSuffix("pxname") }),
            let name = header.firstIndex(of: "svname"), let status = header.firstIndex(of: "status")
        else {
            throw TestFailure("unexpected haproxy statistics: \(reply.body.prefix(200))")
        }
        var states: [String: String] = [:]
        for row in rows.dropFirst() where row.count > max(proxy, name, status) && row[proxy] == backend
            && !["FRONTEND", "BACKEND"].contains(row[name]) {
            states[row[name]] = row[status]
        }
        return states
    }

    /// Waits (bounded) until HAProxy reports `server` as `state` (`UP`, `DOWN`).
    public func wait(server: String, state: String, client: HTTPClient, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await serverStates(client)[server] != state {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("haproxy did not report \(server) \(state) within \(timeout): \(try await serverStates(client))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops HAProxy (SIGTERM: at once, open streams are cut).
    public func stop() async {
        child.signal(SIGTERM)
        if !(await child.waitForExit(timeout: .seconds(3))) { child.forceStop() }
    }

    /// Ends HAProxy at once (cleanup).
    public func forceStop() { child.forceStop() }
}
