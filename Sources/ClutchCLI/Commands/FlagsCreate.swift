import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags create KEY`: a new flag, off in every environment.
struct FlagsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a flag; it starts off in every environment.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption

    @Argument(help: "The flag's key: lowercase letters, digits, '-', '_' and '.'.")
    var key: String

    @Option(help: ArgumentHelp("boolean, string, integer, double or object.", valueName: "type"))
    var type: String = "boolean"

    @Option(name: .customLong("variant"), help: ArgumentHelp("A variant, repeatable (default for booleans: on=true, off=false).", valueName: "name=value"))
    var variants: [String] = []

    @Option(help: ArgumentHelp("The variant served while the flag is off.", valueName: "name"))
    var offVariant: String?

    @Option(help: ArgumentHelp("Bucketing salt (default: the key).", valueName: "salt"))
    var salt: String?

    @Option(help: ArgumentHelp("What the flag is for.", valueName: "text"))
    var description: String = ""

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag, repeatable.", valueName: "tag"))
    var tags: [String] = []

    @Option(help: ArgumentHelp(
        "What the flag is for, which says how long it should live: release (40 days), experiment (40), operational (7), kill-switch or permission (permanent).",
        valueName: "kind"))
    var kind: String = FlagKind.release.rawValue

    @Option(help: ArgumentHelp("Who should clean it up: an email address.", valueName: "email"))
    var owner: String?

    func run() async throws {
        guard let flagType = FlagType(rawValue: type) else {
            throw CLIError.failed("unknown type '\(type)': use one of \(FlagType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let flagKind = try FlagsSet.kind(kind)
        let parsed = try variants.map { try VariantParser.parse($0, type: flagType) }
        if flagType != .boolean, parsed.isEmpty {
            throw CLIError.failed("a \(flagType.rawValue) flag needs variants", hint: "add --variant NAME=VALUE for each, e.g. --variant blue=#00f --variant red=#f00")
        }
        let flag = Flag(
            key: key, type: flagType, description: description, tags: tags,
            variants: parsed.isEmpty ? nil : parsed, offVariant: offVariant, salt: salt, kind: flagKind, owner: owner)
        if let issue = flag.validationIssues().first { throw CLIError.failed(issue.description) }
        let client = try connection.client()
        let response = try await client.send("POST", ["flags"], json: flag, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        let variantList = record.flag.variants.map(\.key).joined(separator: ", ")
        let owned = record.flag.owner.map { ", owner \(Output.printable($0))" } ?? ""
        Output.text(
            "Created \(Style.bold(record.flag.key)) (\(record.flag.type.rawValue): \(variantList); off variant \(record.flag.offVariant)), off in every environment: "
                + "\(record.flag.kind.withArticle) flag\(owned).")
        Output.text(Style.dim("Next: 'clutch target \(key) --env ENV --admins', 'clutch rollout \(key) --env ENV --percent 10' or 'clutch on \(key) --env ENV'."))
    }
}
