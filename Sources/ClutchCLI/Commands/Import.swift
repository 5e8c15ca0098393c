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
        let document = try Import.decode(data, name: file)
        let client = try connection.client()
        // What the server holds now, to show field-level changes for updated flags.
        let current = connection.json ? nil : try? await client.send("GET", ["export"]).decode(ClutchDocument.self)
        let response = try await client.send(
            "POST", ["import"], json: document, query: [("dryRun", dryRun ? "true" : "false")], message: change.message)
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
        if let current {
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

    /// Reads JSON or YAML (by extension, else by content); errors name the path in the file.
    static func decode(_ data: Data, name: String) throws -> ClutchDocument {
        let lower = name.lowercased()
        let text = String(decoding: data, as: UTF8.self)
        let isJSON: Bool
        if lower.hasSuffix(".json") {
            isJSON = true
        } else if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            isJSON = false
        } else {
            isJSON = text.drop { $0.isWhitespace }.first == "{"
        }
        do {
            if isJSON { return try ClutchJSON.decode(ClutchDocument.self, from: data) }
            return try YAMLDecoder().decode(ClutchDocument.self, from: text)
        } catch let error as DecodingError {
            throw CLIError.failed("\(name): \(AdminClient.describe(error))")
        } catch {
            throw CLIError.failed("\(name) is not valid \(isJSON ? "JSON" : "YAML"): \(error)")
        }
    }
}
