import ClutchCore
import Foundation
import Testing

@testable import ClutchCLI

/// The CLI's own parsers, without a server: percentages, `--where`, `--context`.
@Suite("clutch parsers")
struct ParserTests {
    @Test("percentages become exact weights out of 100,000", arguments: [
        ("0", 0), ("100", 100_000), ("10", 10_000), ("12.5", 12_500), ("0.001", 1), ("99.999", 99_999), ("33.3%", 33_300), ("007", 7_000),
    ])
    func percent(_ text: String, _ weight: Int) throws {
        #expect(try Percent.weight(text, option: "--percent") == weight)
        #expect(try Percent.weight(Percent.text(weight), option: "--percent") == weight, "text and weight round-trip")
    }

    @Test("bad percentages are refused", arguments: ["101", "100.001", "-1", "1.2345", "abc", "", "1.", ".5", "1e2", "１０"])
    func badPercent(_ text: String) {
        #expect(throws: CLIError.self) { try Percent.weight(text, option: "--percent") }
    }

    @Test("weights keep their order and must sum to 100")
    func weights() throws {
        let parsed = try Percent.weights("c=50,a=25,b=25")
        #expect(parsed.map(\.variant) == ["c", "a", "b"])
        #expect(parsed.map(\.weight) == [50_000, 25_000, 25_000])
        #expect(throws: CLIError.self) { try Percent.weights("a=50,a=50") }
        #expect(throws: CLIError.self) { try Percent.weights("a=50,b") }
        #expect(throws: CLIError.self) { try Percent.weights("a=50,b=50.001") }
    }

    @Test("--where: whitespace, case of word operators, and errors")
    func whereEdges() throws {
        #expect(try WhereOption.parse("  plan   IN  pro , enterprise ") == Clause(attribute: "plan", .in, ["pro", "enterprise"]))
        #expect(try WhereOption.parse("email endswith @acme.com") == Clause(attribute: "email", .endsWith, ["@acme.com"]))
        #expect(try WhereOption.parse("not email exists") == Clause(attribute: "email", .exists, [], negate: true))
        #expect(try WhereOption.parse("not plan != free") == Clause(attribute: "plan", .in, ["free"]), "two negations cancel")
        for bad in ["", "plan", "plan in", "email exists now", "in cohort", "in cohort a b", "age > old", "d after someday", "x matches (", "not"] {
            #expect(throws: CLIError.self, "\(bad)") { try WhereOption.parse(bad) }
        }
    }

    @Test("--where: dotted paths and escapes pass through as the engine reads them", arguments: [
        ("user.plan in pro", "user.plan"), ("orgs.0.id in acme", "orgs.0.id"), (#"app\.version semver>= 2.0.0"#, #"app\.version"#),
        (#"not a\\b exists"#, #"a\\b"#),
    ])
    func wherePaths(_ text: String, _ attribute: String) throws {
        #expect(try WhereOption.parse(text).attribute == attribute)
    }

    @Test("--where: malformed paths are refused with the engine's reason", arguments: [
        ("user..plan in pro", "empty segment"), (".plan in pro", "empty segment"), (#"plan\ in pro"#, "unfinished escape"),
        (#"pl\an in pro"#, "backslash"),
    ])
    func whereBadPaths(_ text: String, _ mentions: String) {
        let error = #expect(throws: CLIError.self) { try WhereOption.parse(text) }
        #expect(error?.message.contains(mentions) == true, "\(String(describing: error))")
    }

    @Test("--context infers booleans, numbers and arrays; quotes keep strings")
    func context() throws {
        let context = try ContextParser.parse(pairs: [
            "targetingKey=42", "age=30", "ratio=0.5", "beta=true", "role=admin,beta", "plan=\"100\"", "empty=", "version=2.3.0",
        ])
        #expect(context["targetingKey"] == "42")
        #expect(context["age"] == 30)
        #expect(context["ratio"] == 0.5)
        #expect(context["beta"] == true)
        #expect(context["role"] == ["admin", "beta"])
        #expect(context["plan"] == "100")
        #expect(context["empty"] == "")
        #expect(context["version"] == "2.3.0")
        #expect(throws: CLIError.self) { try ContextParser.parse(pairs: ["=x"]) }
        #expect(try ContextParser.parse(json: #"[{"a": 1}, {"b": [true]}]"#).count == 2)
        #expect(throws: CLIError.self) { try ContextParser.parse(json: "[1]") }
    }

    @Test("targeting moves a value between variants and pins the default")
    func targeting() {
        var state = FlagState()
        state.target(.customers(["acme", "globex"]), variant: "on")
        state.target(.customers(["acme"]), variant: "off")
        #expect(state.targets == [
            Target(variant: "on", attribute: "customerId", values: ["globex"]),
            Target(variant: "off", attribute: "customerId", values: ["acme"]),
        ])
        state.target(.admins, variant: "on")
        state.target(.admins, variant: "off")
        #expect(state.rules.count == 1, "targeting admins again updates the rule")
        state.untarget(.customers(["globex", "acme"]), variant: nil)
        #expect(state.targets.isEmpty)
        state.pinDefaultToOff(of: Flag(key: "f"))
        #expect(state.default == .variant("off"))
        state.default = .rollout(.percentage(10, of: "on", rest: "off"))
        state.pinDefaultToOff(of: Flag(key: "f"))
        #expect(state.default?.rollout != nil, "an explicit default stays")
    }

    @Test("server errors become one line with the field and a hint")
    func serverErrors() throws {
        let client = AdminClient(endpoint: ClientEndpoint(server: try ClientEndpoint.parseServer("127.0.0.1:8080"), token: nil))
        func body(_ json: String) -> Data { Data(json.utf8) }
        let conflict = client.failure(
            .init(status: 409, headers: [:], body: body(#"{"error":{"code":"conflict","message":"revision 7 is not the latest (8)"}}"#)), ifMatch: 7)
        #expect(conflict.description == "error: conflict: revision 7 is not the latest (8) (someone changed it since it was read; run the command again to apply it to the latest revision)")
        #expect(conflict.exitCode == 1)
        let field = client.failure(
            .init(status: 422, headers: [:], body: body(#"{"error":{"code":"validation_failed","message":"unknown variant 'x'","field":"environments.staging.default.variant"}}"#)), ifMatch: nil)
        #expect(field.description == "error: environments.staging.default.variant: unknown variant 'x'")
        let html = client.failure(.init(status: 502, headers: [:], body: body("<html>\nbad gateway</html>")), ifMatch: nil)
        #expect(html.description.hasPrefix("error: http://127.0.0.1:8080 answered HTTP 502"))
        #expect(!html.description.contains("\n"))
    }

    @Test("headers carry any message: non-ASCII and % are percent-encoded")
    func headerSafe() {
        #expect(AdminClient.headerSafe("plain text") == "plain text")
        #expect(AdminClient.headerSafe("100% ✓") == "100%25 %E2%9C%93")
        #expect(AdminClient.headerSafe("a\nb") == "a%0Ab")
    }

    @Test("user text prints with its control characters escaped", arguments: [
        ("plain text, Ünïcode ✓", "plain text, Ünïcode ✓"),
        ("a\u{1B}[2Jb", #"a\e[2Jb"#),
        ("line\nforged\r", #"line\nforged\r"#),
        ("\u{7}\u{0}\u{7F}\u{9B}", #"\u{7}\u{0}\u{7f}\u{9b}"#),
        ("tab\there", #"tab\there"#),
        ("abc\u{202E}fed", #"abc\u{202e}fed"#),
    ])
    func printable(text: String, shown: String) {
        #expect(Output.printable(text) == shown)
    }

    @Test("--metrics-address takes [HOST:]PORT, loopback when the host is left out", arguments: [
        ("9464", "127.0.0.1", 9464), (":9464", "127.0.0.1", 9464), ("0.0.0.0:9464", "0.0.0.0", 9464),
        ("[::1]:9464", "::1", 9464), ("metrics.internal:0", "metrics.internal", 0),
    ])
    func listenAddress(text: String, host: String, port: Int) throws {
        let address = try ServeCommand.listenAddress(text, option: "--metrics-address")
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test("a --metrics-address without a valid port is refused", arguments: ["", "host:", "host:http", "70000", "[::1]", "[::1]9464"])
    func badListenAddress(text: String) {
        #expect(throws: CLIError.self) { try ServeCommand.listenAddress(text, option: "--metrics-address") }
    }
}
