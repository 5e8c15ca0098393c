import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation
import Yams

/// `clutch export`: every flag and cohort as one document on stdout.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print all flags and cohorts (or one environment's) as YAML or JSON, for review or 'clutch import'.",
        discussion: """
            --format flagd prints one environment's flags as a flagd flag-definition document (flags.json); \
            flags flagd cannot express are left out and listed on stderr, or with --strict refused.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @Option(help: ArgumentHelp("yaml, json or flagd (default yaml; --json means json).", valueName: "format"))
    var format: String?

    @ArgumentParser.Flag(help: "With --format flagd: fail, writing nothing, when flagd cannot express a flag.")
    var strict = false

    func run() async throws {
        if format?.lowercased() == "flagd" { return try await flagd() }
        let chosen = connection.json ? "json" : (format ?? "yaml").lowercased()
        guard chosen == "yaml" || chosen == "json" else {
            throw CLIError.failed("unknown format '\(chosen)': use yaml, json or flagd")
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

    /// The flagd document on stdout; what was left out on stderr, one line each.
    private func flagd() async throws {
        let env = try environment.required()
        let response = try await connection.client().send(
            "GET", ["export", "flagd"], query: [("environment", env), ("strict", strict ? "true" : "false")])
        if connection.json { return Output.json(try response.json()) }
        let answer = try response.decode(FlagdExportAnswer.self)
        Output.json(answer.document)
        for issue in answer.unexpressed {
            Terminal.error("left out \(Output.printable(issue.description))")
        }
    }
}
