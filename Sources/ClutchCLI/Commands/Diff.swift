import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch diff KEY --env E REV [REV2]`: what changed between two revisions.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two revisions of a flag (the second defaults to the latest).",
        discussion: "Revisions belong to the flag: every environment's changes are shown unless --env narrows them to one.")

    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.customLong("env"), .customShort("e")], help: ArgumentHelp("Show only this environment's changes.", valueName: "name"))
    var env: String?
    @Argument(help: ArgumentHelp("The flag's key.", valueName: "key")) var key: String
    @Argument(help: ArgumentHelp("The older revision.", valueName: "from")) var from: Int64
    @Argument(help: ArgumentHelp("The newer revision (default: the latest).", valueName: "to")) var to: Int64?

    func run() async throws {
        var query = [("from", String(from))]
        if let to { query.append(("to", String(to))) }
        let client = try connection.client()
        let response = try await client.send("GET", ["flags", key, "diff"], query: query)
        var diff = try response.decode(RevisionDiff.self)
        if let env { diff.changes = DiffPrinter.relevant(diff.changes, environment: env) }
        if connection.json { return try Output.json(encoding: diff) }
        let scope = env.map { " in \($0)" } ?? ""
        Output.text("\(key)\(scope), revision \(diff.from) → \(diff.to):")
        let old = try await client.send("GET", ["flags", key, "revisions", String(diff.from)]).decode(Revision.self)
        let new = try await client.send("GET", ["flags", key, "revisions", String(diff.to)]).decode(Revision.self)
        Output.text(DiffPrinter.plain(Describe.changes(from: old.flag, to: new.flag, environment: env)))
        Output.text("Field by field:")
        Output.text(DiffPrinter.render(diff.changes))
    }
}

/// Renders diffs: `- before` / `+ after` per changed path.
enum DiffPrinter {
    /// Changes to `environment`'s state and to the flag itself; other environments left out.
    static func relevant(_ changes: [FieldChange], environment: String) -> [FieldChange] {
        changes.filter { change in
            guard change.path.hasPrefix("environments.") else { return true }
            let rest = change.path.dropFirst("environments.".count)
            return rest == environment || rest.hasPrefix(environment + ".") || rest.hasPrefix(environment + "[")
        }
    }

    /// The plain-language sentences (``Describe/changes(from:to:environment:)``, as the console
    /// says them), one per line.
    static func plain(_ sentences: [String]) -> String {
        sentences.isEmpty ? "  no changes" : sentences.map { "  \(Output.printable($0))" }.joined(separator: "\n")
    }

    static func render(_ changes: [FieldChange]) -> String {
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
