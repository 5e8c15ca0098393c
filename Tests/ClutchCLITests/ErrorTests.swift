import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// Bad input: exit code 1 (refused or failed) or 2 (usage), and one line on stderr that says what was wrong.
@Suite("clutch errors and exit codes")
struct ErrorTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        /// Arguments; `KEY` is replaced by a freshly created boolean flag.
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { name }
    }

    static let cases: [BadInput] = [
        BadInput(name: "unknown flag", arguments: ["on", "no-such-flag-x", "--env", "staging"], status: 1, message: "no-such-flag-x"),
        BadInput(name: "--percent 101", arguments: ["rollout", "KEY", "--env", "staging", "--percent", "101"], status: 1,
                 message: "error: --percent must be between 0 and 100, got 101"),
        BadInput(name: "--percent with 4 decimals", arguments: ["rollout", "KEY", "--env", "staging", "--percent", "10.1234"], status: 1,
                 message: "at most 3 decimals"),
        BadInput(name: "unknown variant", arguments: ["target", "KEY", "--env", "staging", "--admins", "--serve", "blue"], status: 1,
                 message: "error: unknown variant 'blue' (this flag has: off, on)"),
        BadInput(name: "unknown rollout variant", arguments: ["rollout", "KEY", "--env", "staging", "--percent", "5", "--variant", "blue"], status: 1,
                 message: "unknown variant 'blue'"),
        BadInput(name: "weights not summing to 100", arguments: ["rollout", "KEY", "--env", "staging", "--weights", "on=30,off=60"], status: 1,
                 message: "error: --weights must sum to 100, got 90 (on=30 + off=60)"),
        BadInput(name: "missing --env", arguments: ["on", "KEY"], status: 2, message: "error: no environment given (pass --env NAME or set CLUTCH_ENV"),
        BadInput(name: "unknown environment", arguments: ["on", "KEY", "--env", "nowhere"], status: 1, message: "nowhere"),
        BadInput(name: "unknown option", arguments: ["on", "KEY", "--env", "staging", "--bogus"], status: 2, message: "error: Unknown option '--bogus'"),
        BadInput(name: "missing key", arguments: ["flags", "get"], status: 2, message: "error: Missing expected argument '<key>'"),
        BadInput(name: "bad --where operator", arguments: ["rules", "add", "KEY", "--env", "staging", "--where", "plan like pro", "--serve", "on"], status: 1,
                 message: "error: --where 'plan like pro': unknown operator 'like'"),
        BadInput(name: "bad semver in --where", arguments: ["rules", "add", "KEY", "--env", "staging", "--where", "appVersion semver>= two", "--serve", "on"], status: 1,
                 message: "'two' is not a semantic version"),
        BadInput(name: "rules add without a serve", arguments: ["rules", "add", "KEY", "--env", "staging", "--where", "plan in pro"], status: 2,
                 message: "give exactly one of --serve VARIANT, --percent P or --weights"),
        BadInput(name: "rule number out of range", arguments: ["rules", "remove", "KEY", "--env", "staging", "3"], status: 1, message: "no rules"),
        BadInput(name: "target without audience", arguments: ["target", "KEY", "--env", "staging"], status: 2, message: "say who: --admins"),
        BadInput(name: "unknown cohort in target", arguments: ["target", "KEY", "--env", "staging", "--cohort", "ghosts"], status: 1, message: "ghosts"),
        BadInput(name: "duplicate flag", arguments: ["flags", "create", "KEY"], status: 1, message: "KEY"),
        BadInput(name: "invalid flag key", arguments: ["flags", "create", "Bad Key"], status: 1, message: "flag key 'Bad Key' is invalid"),
        BadInput(name: "percent below zero", arguments: ["rollout", "KEY", "--env", "staging", "--percent", "-5"], status: 1,
                 message: "--percent must be a percentage between 0 and 100, got '-5'"),
        BadInput(name: "misspelt flag", arguments: ["flags", "get", "KEYx"], status: 1, message: "did you mean 'KEY'?"),
        BadInput(name: "misspelt environment", arguments: ["on", "KEY", "--env", "prod"], status: 1,
                 message: "environment 'prod' does not exist; did you mean 'production'? (environments: development, production, staging)"),
        BadInput(name: "bad context pair", arguments: ["explain", "KEY", "--env", "staging", "--context", "oops"], status: 2,
                 message: "--context takes ATTRIBUTE=VALUE pairs, got 'oops'"),
        BadInput(name: "bad --since", arguments: ["audit", "--since", "yesterday"], status: 1, message: "--since takes a duration"),
    ]

    @Test("each bad input is refused with its message", arguments: cases)
    func badInput(_ input: BadInput) async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("err")
        let created = try await server.clutch("flags", "create", key)
        try #require(created.status == 0, "\(created)")
        let arguments = input.arguments.map { $0.replacingOccurrences(of: "KEY", with: key) }
        for json in [false, true] {
            let result = try await server.clutch(arguments: arguments + (json ? ["--json"] : []))
            #expect(result.status == input.status, "\(result)")
            let expected = input.message.replacingOccurrences(of: "KEY", with: key)
            #expect(result.stderr.contains(expected), "\(result)")
            #expect(result.stderr.hasPrefix("error: "), "\(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line on stderr: \(result)")
            #expect(result.stdout.isEmpty, "\(result)")
        }
        // A refused command changed nothing: the flag is still at its first revision.
        let after = try await server.clutch("flags", "get", key, "--json")
        #expect(try after.json()["revision"]?.int == 1, "\(after)")
    }

    @Test("--if-revision: a change based on an old revision is refused as a conflict, nothing changes")
    func conflict() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("conflict")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("rollout", key, "--env", "staging", "--percent", "10")
        for arguments in [
            ["on", key, "--env", "staging", "--if-revision", "1"],  // refused by the server (If-Match)
            ["rollout", key, "--env", "staging", "--percent", "20", "--if-revision", "1"],
            ["target", key, "--env", "staging", "--admins", "--if-revision", "1"],
            ["rollback", key, "--env", "staging", "--if-revision", "1"],
        ] {
            let result = try await server.clutch(arguments: arguments)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.hasPrefix("error: conflict: "), "\(result)")
            #expect(result.stderr.contains("run the command again"), "\(result)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        let unchanged = try await server.clutch("flags", "get", key, "--json")
        #expect(try unchanged.json()["revision"]?.int == 2)
        let current = try await server.clutch("rollout", key, "--env", "staging", "--percent", "20", "--if-revision", "2", "--json")
        #expect(current.status == 0, "\(current)")
        #expect(try current.json()["revision"]?.int == 3)
    }

    @Test("a wrong token is refused with a hint about credentials")
    func wrongToken() async throws {
        let server = try await TestServer.shared.get()
        let result = try await server.clutch("flags", "list", environment: ["CLUTCH_TOKEN": TestServer.randomToken()])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("check --token or CLUTCH_TOKEN"), "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a missing token is refused")
    func missingToken() async throws {
        let server = try await TestServer.shared.get()
        let result = try await runClutch(["status"], environment: ["CLUTCH_URL": server.address, "CLUTCH_CONFIG": "/nonexistent/config.json"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("check --token"), "\(result)")
    }

    @Test("an unreachable server fails fast with a message naming the URL")
    func unreachable() async throws {
        let url = "http://127.0.0.1:\(try closedPort())"
        for arguments in [["status"], ["on", "x", "--env", "staging"], ["flags", "list", "--json"]] {
            let result = try await runClutch(
                arguments, environment: ["CLUTCH_URL": url, "CLUTCH_TOKEN": "t", "CLUTCH_CONFIG": "/nonexistent/config.json"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.hasPrefix("error: cannot reach the Clutch server at \(url)"), "\(result)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("a server that accepts but never answers times out after CLUTCH_TIMEOUT")
    func timeout() async throws {
        let (fd, port) = try listeningSocket()
        defer { close(fd) }
        let url = "http://127.0.0.1:\(port)"
        let result = try await runClutch(
            ["flags", "list"], environment: ["CLUTCH_URL": url, "CLUTCH_TOKEN": "t", "CLUTCH_CONFIG": "/nonexistent/config.json", "CLUTCH_TIMEOUT": "1"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: cannot reach the Clutch server at \(url): no answer within 1 s"), "\(result)")
    }

    @Test("a wrong URL prefix gets the server's one-line answer")
    func wrongPrefix() async throws {
        let server = try await TestServer.shared.get()
        let result = try await server.clutch("status", "--server", server.address + "/not-clutch")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: "), "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("--server beats CLUTCH_URL")
    func serverOption() async throws {
        let server = try await TestServer.shared.get()
        let result = try await server.clutch("status", "--server", "http://127.0.0.1:\(try closedPort())")
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot reach"))
        let ok = try await server.clutch("status", "--server", server.address, environment: ["CLUTCH_URL": "http://127.0.0.1:\(try closedPort())"])
        #expect(ok.status == 0, "\(ok)")
    }
}

/// A socket listening on an ephemeral port that never accepts: connections complete in
/// the kernel's backlog and then hear nothing.
func listeningSocket() throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    try #require(listen(fd, 16) == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port nothing listens on: a socket bound to port 0 and never listening. The socket stays
/// bound for the rest of the test process (one descriptor per call), so a connection is refused
/// and no other test's bind to port 0 can be given this port meanwhile (closing it at once let a
/// test running beside it listen on the same port).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
