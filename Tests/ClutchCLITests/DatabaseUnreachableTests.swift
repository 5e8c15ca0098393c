import Foundation
import Testing

/// `clutch serve` and `clutch migrate` against a PostgreSQL database that cannot be reached: they
/// fail within the connect timeout with one line naming host:port and the cause, never the password.
@Suite("An unreachable PostgreSQL database at start")
struct DatabaseUnreachableTests {
    static let password = "pw-that-must-not-be-shown-7f3a"

    /// The command's arguments for `port`; `serve` binds an ephemeral port of its own.
    static func arguments(_ command: String, port: Int, extra: [String]) -> [String] {
        let url = "postgres://clutch@127.0.0.1:\(port)/clutch"
        return (command == "serve" ? ["serve", "--port", "0", "--db", url] : ["migrate", "--db", url]) + extra
    }

    /// What every such failure shares: exit ≠ 0, one line naming the address and `cause`, no password.
    static func expectFailure(_ result: CLIResult, port: Int, cause: String) {
        #expect(result.status != 0, "\(result)")
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(lines.count == 1, "\(result)")
        #expect(result.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:\(port) within 2 s"), "\(result)")
        #expect(result.stderr.contains(cause), "\(result)")
        #expect(!result.stderr.contains(password) && !result.stdout.contains(password), "\(result)")
        #expect(!result.stdout.contains("listening"), "\(result)")
    }

    @Test("a closed port: exits non-zero naming the port and 'connection refused'", arguments: ["serve", "migrate"])
    func closedPortFails(command: String) async throws {
        let port = try closedPort()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-unreachable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The timeout from the environment variable here, from the flag in the next test.
        let result = try await runClutch(
            Self.arguments(command, port: port, extra: []),
            environment: [
                "PGPASSWORD": Self.password, "CLUTCH_DB_CONNECT_TIMEOUT": "2",
                "CLUTCH_CONFIG": scratch.appendingPathComponent("config.json").path,
            ],
            timeout: .seconds(25))
        Self.expectFailure(result, port: port, cause: "connection refused")
    }

    @Test("a port that accepts but never speaks PostgreSQL: exits non-zero when the timeout ends", arguments: ["serve", "migrate"])
    func silentPortFails(command: String) async throws {
        let (socket, port) = try listeningSocket()
        defer { close(socket) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-unreachable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try await runClutch(
            Self.arguments(command, port: port, extra: ["--db-connect-timeout", "2"]),
            environment: ["PGPASSWORD": Self.password, "CLUTCH_CONFIG": scratch.appendingPathComponent("config.json").path],
            timeout: .seconds(25))
        Self.expectFailure(result, port: port, cause: "no answer from a PostgreSQL server")
    }

    @Test("a timeout that is not a positive number is a usage error", arguments: ["0", "-1", "soon"])
    func badTimeout(value: String) async throws {
        let result = try await runClutch(
            ["migrate", "--db", "postgres://clutch@127.0.0.1:1/clutch"], environment: ["CLUTCH_DB_CONNECT_TIMEOUT": value])
        #expect(result.status != 0, "\(result)")
        #expect(result.stderr.contains("CLUTCH_DB_CONNECT_TIMEOUT") || result.stderr.contains("--db-connect-timeout"), "\(result)")
        #expect(!result.stderr.contains("cannot reach"), "\(result)")
    }

    @Test("a URL that does not parse: exits non-zero quoting it without its password", arguments: ["serve", "migrate"])
    func unparsableURLIsQuotedWithoutItsPassword(command: String) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-unparsable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A port that is not a number makes it no URL at all; the password is what must not be printed.
        let url = "postgres://clutch:\(Self.password)@127.0.0.1:54x32/clutch"
        let arguments = command == "serve" ? ["serve", "--port", "0", "--db", url] : ["migrate", "--db", url]
        let result = try await runClutch(
            arguments, environment: ["CLUTCH_CONFIG": scratch.appendingPathComponent("config.json").path], timeout: .seconds(25))
        #expect(result.status != 0, "\(result)")
        #expect(result.stderr.contains("'postgres://clutch:***@127.0.0.1:54x32/clutch' is not a postgres:// URL"), "\(result)")
        #expect(!result.stderr.contains(Self.password) && !result.stdout.contains(Self.password), "\(result)")
    }
}
