import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch cleanup [--env ENV] [--archive [--yes]]`: the way out — each stale flag and each flag
/// no uploaded code scan references, with its stage, last evaluation, references and the next
/// step; `--archive` archives the stale flags no scan references, after listing them.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "List the flags to clean up, with the next step for each; --archive archives the stale ones no code references.",
        discussion: """
            A flag is listed when it is stale (rolled out for 14 days, past its kind's expected life, or not evaluated \
            for 30 days) or when code scans were uploaded ('clutch refs scan --upload') and none references it. \
            --archive first lists the stale flags no scan references, then archives them once you type 'yes' (or with --yes).
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption

    @Option(help: ArgumentHelp("Read stages in this environment (default: over every environment).", valueName: "env"))
    var env: String?

    @ArgumentParser.Flag(help: "Archive the stale flags no code scan references (after a listing and a confirmation).")
    var archive = false

    @ArgumentParser.Flag(help: "With --archive: archive without asking.")
    var yes = false

    func run() async throws {
        if yes, !archive { throw CLIError.usage("--yes only confirms --archive") }
        let client = try connection.client()
        let response = try await client.send("GET", ["cleanup"], query: env.map { [("env", $0)] } ?? [])
        let report = try response.decode(CleanupReport.self)
        guard archive else {
            if connection.json { return Output.json(try response.json()) }
            return Self.show(report)
        }
        let candidates = report.archivable
        if candidates.isEmpty {
            if connection.json { return Output.json(["archived": .array([])]) }
            return Output.text("No stale flag is free of code references: nothing to archive.")
        }
        if !connection.json {
            Output.text("Would archive \(candidates.count == 1 ? "1 flag" : "\(candidates.count) flags") (stale, referenced by no scan):")
            for entry in candidates { Output.text("  \(entry.key)  \(Output.printable(entry.reason ?? entry.stage.rawValue))") }
            if !report.scanned { Output.text(Style.dim("No code scan was uploaded: nothing says whether code still checks these flags.")) }
        }
        if !yes {
            Terminal.error("Archive \(candidates.count == 1 ? "it" : "them")? Type 'yes' to confirm:")
            guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                throw CLIError.failed("nothing archived: not confirmed", hint: "type 'yes', or pass --yes to archive without asking")
            }
        }
        var archived: [String] = []
        for entry in candidates {
            _ = try await client.send("POST", ["flags", entry.key, "archive"], message: change.message ?? "clutch cleanup: \(entry.reason ?? "stale")")
            archived.append(entry.key)
            if !connection.json { Output.text("Archived \(entry.key).") }
        }
        if connection.json { Output.json(["archived": .array(archived.map { .string($0) })]) }
    }

    /// Each flag with its stage, last evaluation, references and next step.
    static func show(_ report: CleanupReport) {
        let scope = report.environment.map { " in \($0)" } ?? ""
        if report.flags.isEmpty { return Output.text("Nothing to clean up\(scope): no flag is stale\(report.scanned ? " or unreferenced" : "").") }
        for entry in report.flags {
            let owner = entry.owner.map { ", owner \(Output.printable($0))" } ?? ""
            let references = entry.references.map { $0 == 1 ? "1 reference" : "\($0) references" } ?? "references unknown"
            Output.text("\(Style.bold(entry.key))  \(entry.stage.rawValue)\(scope)  (\(entry.kind.rawValue)\(owner))")
            Output.text("  last evaluated \(Output.time(entry.lastEvaluated)); \(references)")
            Output.text("  next: \(Output.printable(entry.nextStep))")
        }
        if !report.scanned { Output.text(Style.dim("No code scan uploaded yet: 'clutch refs scan --upload' in CI tells where each flag is used.")) }
    }
}
