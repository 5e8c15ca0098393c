import ArgumentParser
import ClutchCore

/// `clutch history KEY`: revisions newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a flag's revisions, newest first (only those touching --env, if given).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let query = environment.optional().map { [("environment", $0)] } ?? []
        let response = try await connection.client().send("GET", ["flags", key, "revisions"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let revisions = try response.decode(RevisionList.self).revisions
        if revisions.isEmpty { return Output.text("No revisions of \(key).") }
        var table = Table(["REV", "TIME", "ACTOR", "MESSAGE", "CHANGE"])
        for revision in revisions {
            table.add([
                String(revision.number), Output.time(revision.createdAt), revision.actor ?? "-",
                revision.message.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                revision.summary ?? revision.action ?? "-",
            ])
        }
        Output.text(table.render())
    }
}

/// `clutch diff KEY --env E REV [REV2]`: what changed between two revisions.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between revision REV and REV2 (default: the latest).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String
    @Argument(help: "The older revision.") var from: Int
    @Argument(help: "The newer revision (default: the latest).") var to: Int?

    func run() async throws {
        let env = try environment.required()
        var query = [("from", String(from))]
        if let to { query.append(("to", String(to))) }
        let response = try await connection.client().send("GET", ["flags", key, "diff"], query: query)
        var diff = try response.decode(DiffRecord.self)
        diff.changes = DiffPrinter.relevant(diff.changes, environment: env)
        if connection.json { return try Output.json(encoding: diff) }
        Output.text("\(key) in \(env), revision \(diff.from.map(String.init) ?? String(from)) → \(diff.to.map(String.init) ?? "latest"):")
        Output.text(DiffPrinter.render(diff.changes))
    }
}

/// Renders diffs: `- before` / `+ after` per changed path.
enum DiffPrinter {
    /// Changes to `environment`'s state and to the flag itself; other environments left out.
    static func relevant(_ changes: [DiffRecord.Change], environment: String) -> [DiffRecord.Change] {
        changes.filter { change in
            guard change.path.hasPrefix("environments.") else { return true }
            let rest = change.path.dropFirst("environments.".count)
            return rest == environment || rest.hasPrefix(environment + ".") || rest.hasPrefix(environment + "[")
        }
    }

    static func render(_ changes: [DiffRecord.Change]) -> String {
        if changes.isEmpty { return "  no changes" }
        var lines: [String] = []
        for change in changes {
            lines.append("  \(Style.bold(change.path))")
            if let before = change.before, before != .null { lines.append(Style.red("    - \(before.jsonText)")) }
            if let after = change.after, after != .null { lines.append(Style.green("    + \(after.jsonText)")) }
        }
        return lines.joined(separator: "\n")
    }
}

/// `clutch rollback KEY --env E [--to REV]`: restores a revision as a new one.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a revision's state in one environment (default: the one before the latest) as a new revision.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String
    @Option(help: ArgumentHelp("The revision to restore.", valueName: "rev")) var to: Int?

    func run() async throws {
        let env = try environment.required()
        let client = try connection.client()
        let (current, _) = try await FlagEditor(client: client).read(key)
        struct Body: Encodable {
            var revision: Int?
            var environment: String
        }
        let response = try await client.send(
            "POST", ["flags", key, "rollback"], json: Body(revision: to, environment: env),
            ifMatch: current.revision, message: change.message)
        let record = try response.decode(FlagRecord.self)
        let restored = response.header("X-Clutch-Restored").flatMap { Int($0) } ?? to
        var changes: [DiffRecord.Change] = []
        if record.revision != current.revision,
            let diff = try? await client.send(
                "GET", ["flags", key, "diff"], query: [("from", String(current.revision)), ("to", String(record.revision))]
            ).decode(DiffRecord.self)
        {
            changes = DiffPrinter.relevant(diff.changes, environment: env)
        }
        if connection.json {
            var json = try response.json()
            if case .object(var object) = json {
                object["restored"] = restored.map { .integer(Int64($0)) } ?? .null
                object["changes"] = try ClutchJSON.decode(Value.self, from: ClutchJSON.encode(changes))
                json = .object(object)
            }
            return Output.json(json)
        }
        let from = restored.map { "revision \($0)" } ?? "the previous revision"
        Output.text("Restored \(from) of \(key) in \(env) as revision \(record.revision). Changed back:")
        Output.text(DiffPrinter.render(changes))
        Output.text(Describe.state(record.flag, environment: env, revision: record.revision))
    }
}
