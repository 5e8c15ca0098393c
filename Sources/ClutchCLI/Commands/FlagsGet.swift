import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags get KEY`: the flag, its variants and its state per environment.
struct FlagsGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a flag in every environment (or one).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @Argument(help: "The flag's key.")
    var key: String

    func run() async throws {
        let client = try connection.client()
        let response = try await client.send("GET", ["flags", key])
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        let flag = record.flag
        var lines = ["\(Style.bold(flag.key))  \(flag.type.rawValue)\(flag.archived ? "  (archived)" : "")  revision \(record.revision)"]
        if !flag.description.isEmpty { lines.append("  \(Output.printable(flag.description))") }
        let variants = flag.variants.map { "\($0.key)=\($0.value.display)" }.joined(separator: ", ")
        lines.append("  variants: \(variants); off variant: \(flag.offVariant)")
        if !flag.tags.isEmpty { lines.append("  tags: \(flag.tags.joined(separator: ", "))") }
        if let salt = flag.salt { lines.append("  salt: \(salt)") }
        let life = flag.kind.expectedLifeDays.map { "expected to live \($0) days" } ?? "permanent"
        lines.append("  kind: \(flag.kind.rawValue) (\(life)); owner: \(record.ownerText.map(Output.printable) ?? "none")")
        if let lifecycle = record.lifecycle { lines.append("  stage: \(Self.stage(lifecycle))") }
        lines.append("  updated \(Output.time(record.updatedAt)) by \(Output.printable(record.updatedBy))")
        Output.text(lines.joined(separator: "\n"))
        let environments = environment.optional().map { [$0] } ?? flag.environments.keys.sorted()
        for env in environments {
            Output.text("")
            Output.text(Describe.state(flag, environment: env, revision: nil))
            if let lifecycle = record.lifecycle?.environments?[env] { Output.text("  stage: \(Self.stage(lifecycle))") }
            if let usage = record.usage?[env] {
                let counts = usage.variants.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                Output.text("  last evaluated \(Output.time(usage.lastEvaluated))\(counts.isEmpty ? "" : " (\(counts))")")
            }
        }
        // A server from before code references answers 404 here: the flag is shown without them.
        if let references = try? await client.send("GET", ["flags", key, "code-refs"]).decode(FlagCodeReferences.self) {
            Output.text("")
            Output.text(Self.render(references))
        }
    }

    /// Where the flag is referenced in the uploaded scans, and the branches that no longer reference it.
    static func render(_ references: FlagCodeReferences) -> String {
        let count = references.references.count
        var lines = [count == 0 ? "code references: none in the uploaded scans" : "code references: \(count)"]
        for reference in references.references {
            let alias = reference.alias.map { "  [\(Output.printable($0))]" } ?? ""
            lines.append("  \(Output.printable(reference.place))  \(Output.printable(reference.context))\(alias)")
        }
        for removal in references.removals {
            lines.append("  \(Output.printable(removal.sentence)) (\(Output.time(removal.removedAt)))")
        }
        return lines.joined(separator: "\n")
    }

    /// `stale (on for everyone in every environment for 21 days)`, `rolled-out (on)`, `live`.
    static func stage(_ lifecycle: FlagLifecycle) -> String {
        if let reason = lifecycle.reason { return "\(lifecycle.stage.rawValue) (\(reason))" }
        if let variant = lifecycle.variant, lifecycle.stage == .rolledOut { return "\(lifecycle.stage.rawValue) (\(variant) for everyone)" }
        return lifecycle.stage.rawValue
    }
}
