import ArgumentParser
import Foundation

/// Where the admin API is and how to authenticate, plus `--json`; every command but
/// `serve` takes these.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Clutch server's URL (or CLUTCH_URL; default: the config file's, else http://127.0.0.1:8080).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("An admin token (or CLUTCH_TOKEN; default: the config file's).", valueName: "token"))
    var token: String?

    @ArgumentParser.Flag(help: "Print machine-readable JSON only.")
    var json = false

    /// A client for the resolved server and token.
    func client() throws -> AdminClient {
        let endpoint = try ClientEndpoint.resolve(server: server, token: token)
        return AdminClient(endpoint: endpoint)
    }
}

/// `--env NAME` or `CLUTCH_ENV`. There is no silent default: nobody should change
/// production thinking it was staging.
struct EnvironmentOption: ParsableArguments {
    @Option(name: [.customLong("env"), .customShort("e")], help: ArgumentHelp("The environment (or CLUTCH_ENV).", valueName: "name"))
    var env: String?

    /// The environment named by `--env` or `CLUTCH_ENV`; a usage error when neither is given.
    func required() throws -> String {
        if let name = optional() { return name }
        throw CLIError.usage("no environment given", hint: "pass --env NAME or set CLUTCH_ENV, e.g. --env staging")
    }

    /// The environment named by `--env` or `CLUTCH_ENV`, if any.
    func optional() -> String? {
        if let env, !env.isEmpty { return env }
        if let env = ProcessInfo.processInfo.environment["CLUTCH_ENV"], !env.isEmpty { return env }
        return nil
    }
}

/// `--if-revision N`: optimistic locking for scripts that read a flag, decide, and change it.
struct RevisionOption: ParsableArguments {
    @Option(name: .customLong("if-revision"), help: ArgumentHelp("Refuse the change unless the flag is still at this revision.", valueName: "n"))
    var ifRevision: Int64?
}

/// `-m/--message`, recorded in the flag's history and the audit log.
struct MessageOption: ParsableArguments {
    @Option(name: [.customShort("m"), .customLong("message")], help: ArgumentHelp("Why: recorded in the history and the audit log.", valueName: "text"))
    var message: String?
}
