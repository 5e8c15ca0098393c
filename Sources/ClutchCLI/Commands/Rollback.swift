import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch rollback KEY --env E [--to REV]`: restores a revision as a new one.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a revision's state in one environment (default: the one before the latest) as a new revision.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String
    @Option(help: ArgumentHelp("The revision to restore.", valueName: "rev")) var to: Int64?

    func run() async throws {
        let env = try environment.required()
        let client = try connection.client()
        let (current, _) = try await FlagEditor(client: client).read(key)
        try FlagEditor.check(current, ifRevision: revision.ifRevision)
        // The server checks the revision again inside the write: nothing changed in between,
        // or nothing is rolled back.
        let response = try await client.send(
            "POST", ["flags", key, "rollback"], json: RollbackRequest(revision: to, environment: env),
            ifMatch: current.revision, message: change.message)
        let record = try response.decode(FlagRecord.self)
        let sentences = Describe.changes(from: current.flag, to: record.flag, environment: env)
        let restored = response.header("X-Clutch-Restored").flatMap { Int64($0) } ?? to
        var changes: [FieldChange] = []
        if record.revision != current.revision,
            let diff = try? await client.send(
                "GET", ["flags", key, "diff"], query: [("from", String(current.revision)), ("to", String(record.revision))]
            ).decode(RevisionDiff.self)
        {
            changes = DiffPrinter.relevant(diff.changes, environment: env)
        }
        if connection.json {
            var json = try response.json()
            if case .object(var object) = json {
                object["restored"] = restored.map { Value.integer($0) } ?? .null
                object["changes"] = try ClutchJSON.decode(Value.self, from: ClutchJSON.encode(changes))
                json = .object(object)
            }
            return Output.json(json)
        }
        let from = restored.map { "revision \($0)" } ?? "the previous revision"
        Output.text("Restored \(from) of \(key) in \(env) as revision \(record.revision). Changed back:")
        Output.text(DiffPrinter.plain(sentences))
        Output.text("Field by field:")
        Output.text(DiffPrinter.render(changes))
        Output.text(Describe.state(record.flag, environment: env, revision: record.revision))
    }
}
