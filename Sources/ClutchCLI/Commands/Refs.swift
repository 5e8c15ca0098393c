import ArgumentParser
import ClutchAPI
import ClutchCore
import ClutchRefs
import Foundation

/// `clutch refs …`: where flags are used in source code.
struct Refs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find where flags are referenced in a source tree; upload the result from CI.",
        subcommands: [RefsScan.self])
}

/// `clutch refs scan [DIR]`: the files git tracks under DIR, each read once, matched against
/// every flag's key (as a quoted literal), generated accessor (`.newCheckout`) and
/// `.clutch/refs.yaml` names; printed per flag, or uploaded with `--upload`.
struct RefsScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the files git tracks for flag references (--upload: store them on the server for a repo and branch).",
        discussion: """
            A key counts as a whole quoted string ("key", 'key' or `key`), comments included; a generated \
            accessor (clutch generate swift) as a member (.newCheckout); names from .clutch/refs.yaml \
            (aliases per flag, patterns such as FLAG_{upper_snake}) as whole words. Binary files (a NUL \
            byte) are skipped; files that are not UTF-8 are scanned as bytes; symbolic links are not followed.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The directory to scan, inside a git work tree (default: the current one).", valueName: "dir"))
    var directory: String = "."

    @ArgumentParser.Flag(help: "Store the result on the server, replacing the previous scan of --repo and --branch.")
    var upload = false

    @Option(help: ArgumentHelp("The repository's name for --upload (app-ios).", valueName: "name"))
    var repo: String?

    @Option(help: ArgumentHelp("The branch for --upload (default: git's current branch).", valueName: "name"))
    var branch: String?

    @Option(help: ArgumentHelp("The commit for --upload (default: git's HEAD, abbreviated).", valueName: "sha"))
    var commit: String?

    func validate() throws {
        if !upload, repo != nil || branch != nil || commit != nil {
            throw ValidationError("--repo, --branch and --commit go with --upload")
        }
        if upload, repo == nil { throw ValidationError("--upload needs --repo NAME") }
    }

    func run() async throws {
        let client = try connection.client()
        // Archived flags too: code that still reads one is what a cleanup looks for.
        let flags = try await client.send("GET", ["flags"], query: [("archived", "true")]).decode(FlagList.self).flags.map(\.flag.key)
        let configuration: RefsConfiguration
        let files: [String]
        do {
            configuration = try RefsConfiguration.load(directory: directory)
            files = try GitFiles.tracked(in: directory)
        } catch let error as RefsConfigurationError {
            throw CLIError.failed(error.description)
        } catch let error as GitError {
            throw CLIError.failed("cannot list the files of '\(directory)': \(error)", hint: "run it inside a git work tree")
        }
        let scanner = RefScanner(matcher: ReferenceMatcher(names: configuration.names(flags: flags)))
        let started = ContinuousClock.now
        let result = await scanner.scan(directory: directory, files: files)
        let elapsed = ContinuousClock.now - started

        var uploaded: CodeScanResult?
        if upload, let repo {
            let scan = CodeScanUpload(
                repo: repo, branch: try branch ?? gitValue(["--abbrev-ref", "HEAD"], "--branch"),
                commit: try commit ?? gitValue(["--short", "HEAD"], "--commit"), references: result.references)
            let body: Data
            do {
                body = try ClutchJSON.encode(scan)
            } catch {
                throw CLIError.failed("cannot encode the scan: \(error)")
            }
            // As long as the server works on it, as an import: it answers once the scan is stored.
            uploaded = try await client.send("POST", ["code-refs"], body: body, patience: .untilAnswered).decode(CodeScanResult.self)
        }
        if connection.json {
            return try Output.json(encoding: ScanReport(
                files: result.scanned, binaryFiles: result.binary, skippedFiles: result.skipped, references: result.references,
                unreferenced: Self.unreferenced(flags, result), upload: uploaded))
        }
        Output.text(Self.render(result, flags: flags, elapsed: elapsed, uploaded: uploaded))
    }

    private func gitValue(_ arguments: [String], _ option: String) throws -> String {
        do {
            return try GitFiles.revParse(arguments, in: directory)
        } catch {
            throw CLIError.failed("cannot tell the \(option.dropFirst(2)) from git: \(error)", hint: "pass \(option)")
        }
    }

    static func unreferenced(_ flags: [String], _ result: RefScanner.Result) -> [String] {
        let referenced = Set(result.references.map(\.flag))
        return flags.filter { !referenced.contains($0) }.sorted()
    }

    /// Per flag its references (`path:line  context`), then the totals and the upload.
    static func render(_ result: RefScanner.Result, flags: [String], elapsed: Duration, uploaded: CodeScanResult?) -> String {
        var lines: [String] = []
        var current: String?
        let counts = Dictionary(grouping: result.references, by: \.flag).mapValues(\.count)
        for reference in result.references {
            if reference.flag != current {
                if current != nil { lines.append("") }
                current = reference.flag
                let count = counts[reference.flag] ?? 0
                lines.append("\(Style.bold(reference.flag))  \(count) reference\(count == 1 ? "" : "s")")
            }
            let alias = reference.alias.map { "  " + Style.dim("[\(Output.printable($0))]") } ?? ""
            lines.append("  \(Output.printable(reference.path)):\(reference.line)  \(Output.printable(reference.context))\(alias)")
        }
        let unreferenced = unreferenced(flags, result)
        if !unreferenced.isEmpty {
            if !lines.isEmpty { lines.append("") }
            lines.append("Not referenced: \(unreferenced.joined(separator: ", "))")
        }
        if !lines.isEmpty { lines.append("") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lines.append(
            "Scanned \(result.scanned) files in \(String(format: "%.2f", seconds)) s (\(result.binary) binary and \(result.skipped) other skipped): "
                + "\(result.references.count) references to \(counts.count) of \(flags.count) flags.")
        if let uploaded {
            let scan = uploaded.scan
            var line = "Uploaded to \(Output.printable(scan.repo))@\(Output.printable(scan.branch)) at \(scan.commit)."
            if !uploaded.removed.isEmpty { line += " No longer referenced there: \(uploaded.removed.joined(separator: ", "))." }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// `clutch refs scan --json`.
struct ScanReport: Encodable {
    var files: Int
    var binaryFiles: Int
    var skippedFiles: Int
    var references: [CodeReference]
    /// The flags nothing in the tree references, sorted.
    var unreferenced: [String]
    /// The server's answer with `--upload`.
    var upload: CodeScanResult?
}
