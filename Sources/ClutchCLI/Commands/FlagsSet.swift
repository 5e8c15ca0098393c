import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags set KEY --kind K --owner EMAIL`: changes what a flag is for and who owns it.
struct FlagsSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change a flag's kind or owner (one revision).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    @Option(help: ArgumentHelp("release, experiment, operational, kill-switch or permission.", valueName: "kind"))
    var kind: String?

    @Option(help: ArgumentHelp("Who should clean it up: an email address.", valueName: "email"))
    var owner: String?

    @ArgumentParser.Flag(help: "Remove the owner.") var noOwner = false

    func run() async throws {
        guard kind != nil || owner != nil || noOwner else { throw CLIError.usage("say what to change: --kind, --owner or --no-owner") }
        if owner != nil, noOwner { throw CLIError.usage("--owner and --no-owner contradict each other") }
        let newKind = try kind.map(Self.kind)
        let client = try connection.client()
        // The whole flag is written back at the revision read: a change made meanwhile is refused (409), never overwritten.
        let record = try await client.send("GET", ["flags", key]).decode(FlagRecord.self)
        var flag = record.flag
        if let newKind { flag.kind = newKind }
        if let owner { flag.owner = owner }
        if noOwner { flag.owner = nil }
        if let issue = flag.validationIssues().first { throw CLIError.failed(issue.description) }
        if flag == record.flag { return Output.text("\(key) is already so: nothing changed.") }
        let response = try await client.send("PUT", ["flags", key], json: flag, ifMatch: record.revision, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let written = try response.decode(FlagRecord.self)
        let owned = written.flag.owner.map { "owner \(Output.printable($0))" } ?? "no owner"
        Output.text("\(written.flag.key) is \(written.flag.kind.withArticle) flag, \(owned) (revision \(written.revision)).")
    }

    /// The kind named `name`, or a one-line failure listing the kinds.
    static func kind(_ name: String) throws -> FlagKind {
        guard let kind = FlagKind(rawValue: name) else { throw CLIError.failed("unknown kind '\(name)': use one of \(FlagKind.names)") }
        return kind
    }
}
