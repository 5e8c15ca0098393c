import ArgumentParser
import ClutchCore
import Foundation
import Yams

/// `clutch import FILE`: applies a document all or nothing, printing what changes.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a YAML or JSON document of flags and cohorts, all or nothing.",
        discussion: "Prints what changes. With --dry-run nothing is applied. Errors name the path in the file (flags[3].environments.production.rules[0]…).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption

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
        let format = Import.format(of: data, name: file)
        let client = try connection.client()
        // What the server holds now, to show field-level changes for updated flags.
        let current = connection.json ? nil : try? await client.send("GET", ["export"]).decode(ClutchDocument.self)
        let response = try await client.send(
            "POST", ["import"], query: [("dryRun", dryRun ? "true" : "false")], body: data,
            contentType: format == .json ? "application/json" : "application/yaml", message: change.message,
            patience: .untilAnswered)
        if connection.json { return Output.json(try response.json()) }
        let result = try response.decode(ImportRecord.self)
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
        if let current, let document = try? Import.decode(data, format: format) {
            let details = Import.details(of: changing, document: document, current: current)
            if !details.isEmpty { Output.text(details.joined(separator: "\n")) }
        }
        let unchanged = result.changes.count - changing.count
        let applied = result.applied ?? !dryRun
        Output.text(applied
            ? "Applied \(changing.count) change(s)\(unchanged > 0 ? "; \(unchanged) unchanged" : "")."
            : "Dry run: \(changing.count) change(s) would be applied; nothing changed.")
    }

    /// Field-level changes of updated flags and cohorts.
    static func details(of changes: [ImportRecord.Change], document: ClutchDocument, current: ClutchDocument) -> [String] {
        var lines: [String] = []
        for change in changes where change.action == "update" {
            switch change.kind {
            case "flag":
                guard let old = current.flags.first(where: { $0.key == change.key }),
                    let new = document.flags.first(where: { $0.key == change.key })
                else { continue }
                let environments = Set(old.environments.keys).union(new.environments.keys)
                let diff = ValueDiff.changes(
                    ValueDiff.normalized(old, environments: environments), ValueDiff.normalized(new, environments: environments))
                if diff.isEmpty { continue }
                lines.append("~ flag \(change.key)")
                lines += ValueDiff.render(diff, indent: "    ")
            case "cohort":
                guard let environment = change.environment,
                    let old = current.cohorts[environment]?.first(where: { $0.key == change.key }),
                    let new = document.cohorts[environment]?.first(where: { $0.key == change.key }),
                    let oldValue = try? ClutchJSON.decode(Value.self, from: ClutchJSON.encode(old)),
                    let newValue = try? ClutchJSON.decode(Value.self, from: ClutchJSON.encode(new))
                else { continue }
                let diff = ValueDiff.changes(oldValue, newValue)
                if diff.isEmpty { continue }
                lines.append("~ cohort \(change.key) in \(environment)")
                lines += ValueDiff.render(diff, indent: "    ")
            default:
                continue
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

    /// The document as the server accepted it, read here only to show field-level changes.
    static func decode(_ data: Data, format: Format) throws -> ClutchDocument {
        switch format {
        case .json: return try ClutchJSON.decode(ClutchDocument.self, from: data)
        case .yaml: return try YAMLDecoder().decode(ClutchDocument.self, from: String(decoding: data, as: UTF8.self))
        }
    }
}
