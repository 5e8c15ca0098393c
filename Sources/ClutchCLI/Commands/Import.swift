import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation
import ClutchStore

/// `clutch import FILE`: applies a document all or nothing, printing what changes.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a YAML or JSON document of flags and cohorts, all or nothing.",
        discussion: """
            Prints what changes. With --dry-run nothing is applied. Errors name the path in the file (flags[3].environments.production.rules[0]…).
            --format reads another system's document (converted by the server, then imported the same way); whatever it \
            holds that Clutch cannot express is listed with its path, and then nothing is imported.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @OptionGroup var environment: EnvironmentOption

    @Option(help: ArgumentHelp(
        "The file's format: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default clutch).", valueName: "format"))
    var format: ImportFormat = .clutch

    @Argument(help: "The file (.yaml, .yml or .json; '-' reads stdin).")
    var file: String

    @ArgumentParser.Flag(help: "Show the changes without applying them.")
    var dryRun = false

    func run() async throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CLIError.failed("cannot read \(file): \(error.localizedDescription)")
        }
        // The document goes to the server as written: the server's strict reading judges it (an
        // unknown field such as `enabeld` is refused, naming its path) and one limit applies.
        let syntax = format == .clutch ? Import.format(of: data, name: file) : .json
        var query = [("dryRun", dryRun ? "true" : "false")]
        if format != .clutch { query.append(("format", format.rawValue)) }
        if let environment = environment.optional() { query.append(("environment", environment)) }
        let client = try connection.client()
        let response = try await client.send(
            "POST", ["import"], query: query, body: data,
            contentType: syntax == .json ? "application/json" : "application/yaml", message: change.message,
            patience: .untilAnswered)
        if connection.json { return Output.json(try response.json()) }
        let result = try response.decode(ImportAnswer.self)
        report(result)
        for note in result.notes { Output.text("note: \(Output.printable(note.description))") }
        // A dry run lists what cannot be mapped (importing such a document is refused by the server).
        for issue in result.unmapped { Output.text("cannot map \(Output.printable(issue.description))") }
        if !result.unmapped.isEmpty {
            throw CLIError.failed(
                "\(result.unmapped.count) construct(s) of the \(format.rawValue) document cannot be mapped; nothing would be imported")
        }
    }

    /// The changes as a table with their field diffs, and what was (or would be) applied.
    private func report(_ result: ImportAnswer) {
        let changing = result.changes.filter { $0.action != "unchanged" }
        if changing.isEmpty {
            Output.text("Nothing to change: \(result.changes.count) item(s) already match \(file).")
            return
        }
        var table = Table(["ACTION", "KIND", "KEY", "ENVIRONMENT"])
        for change in changing {
            let action = change.action == "create" ? Style.green(change.action) : Style.yellow(change.action)
            table.add([action, change.kind, change.key, change.environment ?? "-"])
        }
        Output.text(table.render())
        let details = Import.details(of: changing)
        if !details.isEmpty { Output.text(details.joined(separator: "\n")) }
        let unchanged = result.changes.count - changing.count
        let applied = result.applied
        Output.text(applied
            ? "Applied \(changing.count) change(s)\(unchanged > 0 ? "; \(unchanged) unchanged" : "")."
            : "Dry run: \(changing.count) change(s) would be applied; nothing changed.")
    }

    /// Field-level changes of updated flags and cohorts, as the server computed them (the same diff
    /// as history and the API's dry runs): `path: before → after`.
    static func details(of changes: [ImportChange]) -> [String] {
        var lines: [String] = []
        for change in changes where change.action == "update" && !change.fields.isEmpty {
            lines.append(change.kind == "cohort"
                ? "~ cohort \(Output.printable(change.key)) in \(Output.printable(change.environment ?? "-"))"
                : "~ flag \(Output.printable(change.key))")
            for field in change.fields {
                let before = field.before.map(\.jsonText) ?? "(none)"
                let after = field.after.map(\.jsonText) ?? "(none)"
                lines.append("    \(field.path): \(Style.red(Output.printable(before))) → \(Style.green(Output.printable(after)))")
            }
        }
        return lines
    }

    enum Format { case json, yaml }

    /// JSON or YAML: by extension, else by content.
    static func format(of data: Data, name: String) -> Format {
        let lower = name.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        let first = data.first { !(Character(UnicodeScalar($0)).isWhitespace) }
        return first == UInt8(ascii: "{") ? .json : .yaml
    }
}

extension ImportFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
