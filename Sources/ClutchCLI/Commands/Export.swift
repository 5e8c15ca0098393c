import ArgumentParser
import ClutchCore
import Foundation
import Yams

/// `clutch export`: every flag and cohort as one document on stdout.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print all flags and cohorts (or one environment's) as YAML or JSON, for review or 'clutch import'.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @Option(help: ArgumentHelp("yaml or json (default yaml; --json means json).", valueName: "format"))
    var format: String?

    func run() async throws {
        let chosen = connection.json ? "json" : (format ?? "yaml").lowercased()
        guard chosen == "yaml" || chosen == "json" else {
            throw CLIError.failed("unknown format '\(chosen)': use yaml or json")
        }
        let query = environment.optional().map { [("environment", $0)] } ?? []
        let response = try await connection.client().send("GET", ["export"], query: query)
        if chosen == "json" { return Output.json(try response.json()) }
        let document = try response.decode(ClutchDocument.self)
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        do {
            Output.text(try encoder.encode(document))
        } catch {
            throw CLIError.failed("cannot write YAML: \(error)")
        }
    }
}
