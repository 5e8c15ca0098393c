import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch serve")
struct ServeTests {
    /// A new empty directory for a server that is expected not to start.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("first start writes the CLI config file, which later commands use")
    func firstStartWritesConfig() async throws {
        let server = try await ServeProcess(bootstrapToken: nil, json: false)
        defer { try? FileManager.default.removeItem(at: server.directory) }
        // `make run` shows where to open the console.
        #expect(server.stdout.contains("Clutch listening on \(server.address)\nWeb console: \(server.address)/ui\n"), "\(server.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: server.configPath))
        let config = try ClutchJSON.decode(Value.self, from: data)
        let token = try #require(config["token"]?.string)
        #expect(token.count >= 32)
        #expect(config["server"]?.string != nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: server.configPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // Nothing but the config file: URL and token come from it.
        let status = try await runClutch(["status", "--json"], environment: ["CLUTCH_CONFIG": server.configPath])
        #expect(status.status == 0, "\(status)")
        #expect(try await server.stop())
    }

    @Test("a CLUTCH_BOOTSTRAP_TOKEN under 32 characters is refused in one line naming the variable, not the token")
    func shortBootstrapTokenIsRefused() async throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = "hunter2-is-not-enough"
        let result = try await runClutch(
            ["serve", "--port", "0", "--db", directory.appendingPathComponent("x.db").path],
            environment: ["CLUTCH_BOOTSTRAP_TOKEN": token, "CLUTCH_CONFIG": directory.appendingPathComponent("config.json").path])
        #expect(result.status == 2, "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result)")
        #expect(result.stderr.contains("error: CLUTCH_BOOTSTRAP_TOKEN must be at least 32 characters"), "\(result)")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.db").path), "nothing was created")
    }

    @Test("a CLUTCH_BOOTSTRAP_TOKEN the operator chose becomes the admin token and is not printed back")
    func bootstrapTokenIsNotEchoed() async throws {
        let token = TestServer.randomToken()
        let server = try await ServeProcess(bootstrapToken: token, json: false)
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let stdout = server.stdout
        let log = server.stderr
        #expect(stdout.contains("Created the first admin token from CLUTCH_BOOTSTRAP_TOKEN"), "\(stdout)")
        #expect(!stdout.contains(token) && !log.contains(token), "\(stdout)")
        let status = try await server.clutch("status")
        #expect(status.status == 0, "\(status)")
        #expect(try await server.stop())
    }

    @Test("a connection budget not above the streams one key may open is refused, naming both options")
    func connectionBudgetBelowTheStreamCapIsRefused() async throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await runClutch(
            ["serve", "--port", "0", "--db", directory.appendingPathComponent("x.db").path, "--max-connections", "100", "--max-streams-per-key", "100"],
            environment: ["CLUTCH_CONFIG": directory.appendingPathComponent("config.json").path])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("error: --max-connections (100) must be above --max-streams-per-key (100)"), "\(result)")
        let address = try await runClutch(
            ["serve", "--port", "0", "--db", directory.appendingPathComponent("x.db").path, "--metrics-address", "localhost:metrics"],
            environment: ["CLUTCH_CONFIG": directory.appendingPathComponent("config.json").path])
        #expect(address.status == 2, "\(address)")
        #expect(address.stderr.contains("--metrics-address must be [HOST:]PORT"), "\(address)")
    }

    @Test("a second clutch serve on the same database refuses to start, naming the file")
    func secondServerOnOneDatabase() async throws {
        let server = try await ServeProcess(json: false)
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let database = server.databasePath
        let second = try await runClutch(
            ["serve", "--port", "0", "--db", database],
            environment: ["CLUTCH_CONFIG": server.directory.appendingPathComponent("second.json").path])
        #expect(second.status == 1, "\(second)")
        #expect(second.stderr.contains("error: another clutch serve is already using \(database)"), "\(second)")
        let status = try await server.clutch("status")
        #expect(status.status == 0, "\(status)")
        #expect(try await server.stop())
    }

    @Test("--json prints the ready line as JSON; a bad port is a usage error")
    func readyLineAndBadPort() async throws {
        let server = try await ServeProcess(json: true)
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let readyLine = try #require(server.stdout.split(separator: "\n").first { $0.hasPrefix("{") }, "\(server.stdout)")
        #expect(try ClutchJSON.decode(Value.self, from: Data(readyLine.utf8))["url"]?.string == server.address, "\(readyLine)")
        #expect(try ClutchJSON.decode(Value.self, from: Data(readyLine.utf8))["console"]?.string == server.address + "/ui")
        let status = try await server.clutch("status")
        #expect(status.status == 0, "\(status)")
        let port = "\(server.port)"
        let taken = try await runClutch(
            ["serve", "--port", port, "--db", server.directory.appendingPathComponent("second.db").path],
            environment: ["CLUTCH_CONFIG": server.directory.appendingPathComponent("second.json").path])
        #expect(taken.status == 1, "\(taken)")
        #expect(taken.stderr.contains("error: cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(taken)")
        #expect(try await server.stop())

        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = try await runClutch(["serve", "--port", "70000", "--db", directory.appendingPathComponent("x.db").path], environment: [:])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--port must be 0–65535"))
        let badEnv = try await runClutch(["serve"], environment: ["CLUTCH_PORT": "http"])
        #expect(badEnv.status == 2)
        #expect(badEnv.stderr.contains("CLUTCH_PORT must be a port number"))
    }

    @Test("a --webhook-allow or CLUTCH_WEBHOOK_ALLOW_PRIVATE that means nothing is a usage error naming it")
    func badWebhookAllowances() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("x.db").path
        let bad = try await runClutch(["serve", "--port", "0", "--db", database, "--webhook-allow", "intranet"], environment: [:])
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.contains("--webhook-allow must be an IP network such as 10.1.2.0/24 or fd00::/8, got 'intranet'"), "\(bad)")
        let badEnv = try await runClutch(["serve", "--port", "0", "--db", database], environment: ["CLUTCH_WEBHOOK_ALLOW_PRIVATE": "yes"])
        #expect(badEnv.status == 2, "\(badEnv)")
        #expect(badEnv.stderr.contains("CLUTCH_WEBHOOK_ALLOW_PRIVATE must be 1 or 0, got 'yes'"), "\(badEnv)")
        #expect(!FileManager.default.fileExists(atPath: database), "refused before the database is opened")
    }

    @Test("single sign-on options that cannot work are refused in one line naming the option, never the secret")
    func badSingleSignOnOptions() async throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("x.db").path
        let secretFile = directory.appendingPathComponent("oidc-secret").path
        let secret = "oidc-client-secret-\(UUID().uuidString)"
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        let environment = ["CLUTCH_CONFIG": directory.appendingPathComponent("config.json").path]
        let base = ["serve", "--port", "0", "--db", database]
        let sso = ["--oidc-issuer", "https://id.example.com", "--oidc-client-id", "clutch", "--oidc-client-secret-file", secretFile]
        let cases: [([String], String)] = [
            (["--oidc-client-id", "clutch"], "the --oidc-… options need --oidc-issuer URL"),
            (["--oidc-issuer", "https://id.example.com", "--oidc-role", "eng=editor"], "--oidc-issuer needs --oidc-client-id"),
            (sso + ["--oidc-role", "eng=admin"], "--oidc-role must be GROUP=ROLE[:ENV,ENV] with ROLE one of viewer, responder, editor, owner, got 'eng=admin'"),
            (sso + ["--oidc-role", "eng=editor:"], "--oidc-role must be GROUP=ROLE[:ENV,ENV]"),
            (sso, "single sign-on needs --oidc-role GROUP=ROLE or --oidc-allowed-domain DOMAIN: nobody could sign in"),
            (["--oidc-issuer", "http://id.example.com", "--oidc-client-id", "clutch", "--oidc-client-secret-file", secretFile,
              "--oidc-allowed-domain", "example.com"], "--oidc-issuer must be https (http only for a provider on this machine)"),
            (["--oidc-issuer", "https://id.example.com", "--oidc-client-id", "clutch", "--oidc-client-secret-file", secretFile + ".missing",
              "--oidc-allowed-domain", "example.com"], "--oidc-client-secret-file: cannot read"),
        ]
        for (options, message) in cases {
            let result = try await runClutch(base + options, environment: environment)
            #expect(result.status == 2, "\(options): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(options): \(result)")
            #expect(result.stderr.contains("error: \(message)"), "\(options): \(result)")
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: database), "refused before the database is opened")
    }
}
