import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("Restart and first start")
struct RestartTests {
    @Test func restartKeepsEverything() async throws {
        let first = try await TestServer.start()
        try await OFREPFixtures.seed(first)
        try await first.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "beta", "members": ["acme"]}"#)
        try await first.send("POST", "/api/v1/flags/dark-mode/environments/production/off", headers: ["X-Clutch-Message": "before restart"])
        let (_, key) = try await first.createKey("production")
        let before = try await BadInputTests.state(first)
        let snapshot = try await first.send("GET", "/sdk/v1/flags", as: .bearer(key))
        let directory = first.directory
        try await first.stop(remove: false)

        let second = try await TestServer.start(directory: directory)
        do {
            #expect(try await BadInputTests.state(second) == before)
            // The SDK key still works, and the snapshot (version included) is the same.
            let again = try await second.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(again.status == 200)
            #expect(again.text == snapshot.text)
            #expect(again.headers["etag"] == snapshot.headers["etag"])
            let revisions = try await second.send("GET", "/api/v1/flags/dark-mode/revisions")
            #expect(revisions["revisions[0].message"] == .string("before restart"))
            let evaluation = try await second.send("POST", "/ofrep/v1/evaluate/flags/dark-mode", body: "{}", as: .bearer(key))
            #expect(evaluation["reason"] == .string("DISABLED"))
            // No second admin token on a restart.
            #expect(second.application.createdAdminToken == nil)
        } catch {
            try? await second.stop()
            throw error
        }
        try await second.stop()
    }

    @Test func firstStartWithoutBootstrapTokenMakesARandomOne() async throws {
        let server = try await TestServer.start(bootstrapToken: nil)
        do {
            let token = try #require(server.application.createdAdminToken)
            #expect(token.hasPrefix("clutch_svc_"))
            #expect(token.count >= "clutch_svc_".count + 43)
            let config = try CLIConfigFile.read(from: try #require(server.configuration.cliConfigPath))
            #expect(config.token == token)
            #expect(config.server == "http://127.0.0.1:\(server.port)")
            #expect(try await server.send("GET", "/api/v1/flags", as: .bearer(token)).status == 200)
            #expect(try await server.send("GET", "/api/v1/flags", as: .admin).status == 401)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func cliConfigDefaultPath() {
        #expect(CLIConfigFile.defaultPath(environment: ["CLUTCH_CONFIG": "/x/c.json", "HOME": "/h"]) == "/x/c.json")
        #expect(CLIConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/h"]) == "/xdg/clutch/config.json")
        #expect(CLIConfigFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/clutch/config.json")
    }
}
