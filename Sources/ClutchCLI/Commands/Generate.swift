import ArgumentParser
import ClutchAPI
import ClutchCore
import ClutchRefs
import Foundation

/// `clutch generate …`: code from the server's flags.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate typed flag accessors from the server's flags.",
        subcommands: [GenerateSwift.self])
}

/// `clutch generate swift --env ENV [--out FILE]`: one typed accessor per unarchived flag over
/// the Swift SDK (``SwiftAccessors``). Regenerated after a flag is archived, the file no longer
/// has its accessor, so every call site that still reads the flag stops compiling.
struct GenerateSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift",
        abstract: "Write one typed accessor per flag over the Swift SDK: client.flags.newCheckout(for: context) -> Bool.",
        discussion: """
            Each accessor falls back to what the environment serves everyone when the flag cannot be evaluated. \
            Archived flags get no accessor. 'clutch refs scan' finds the accessors' call sites.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @Option(help: ArgumentHelp("Write the file here instead of stdout.", valueName: "path"))
    var out: String?

    func run() async throws {
        let env = try environment.required()
        let client = try connection.client()
        let environments = try await client.send("GET", ["environments"]).decode(EnvironmentList.self).environments.map(\.key)
        guard environments.contains(env) else {
            throw CLIError.failed("unknown environment '\(env)'", hint: "one of \(environments.sorted().joined(separator: ", "))")
        }
        let response = try await client.send("GET", ["flags"])
        let records = try response.decode(FlagList.self).flags
        let extras = Self.kindsAndOwners(try response.json())
        let entries = records.map { record in
            SwiftAccessors.Entry(flag: record.flag, kind: extras[record.flag.key]?.kind, owner: extras[record.flag.key]?.owner)
        }
        let source: String
        do {
            source = try SwiftAccessors.generate(entries, environment: env)
        } catch let error as GenerateError {
            throw CLIError.failed(error.description)
        }
        let count = entries.filter { !$0.flag.archived }.count
        guard let out else {
            if connection.json { return Output.json(.object(["source": .string(source), "accessors": .integer(Int64(count))])) }
            return Output.text(source)
        }
        do {
            try Data(source.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError.failed("cannot write '\(out)': \(error.localizedDescription)")
        }
        if connection.json {
            return Output.json(.object(["path": .string(out), "accessors": .integer(Int64(count))]))
        }
        Output.text("Wrote \(count) accessor\(count == 1 ? "" : "s") for \(env) to \(Output.printable(out)).")
    }

    /// Each flag's kind and owner, where the server's answer has them (on the record or the flag):
    /// read from the JSON so that a server that does not send them is no error.
    static func kindsAndOwners(_ list: Value) -> [String: (kind: String?, owner: String?)] {
        guard case .object(let top) = list, case .array(let flags)? = top["flags"] else { return [:] }
        var out: [String: (kind: String?, owner: String?)] = [:]
        for case .object(let record) in flags {
            guard case .object(let flag)? = record["flag"], let key = flag["key"]?.stringValue else { continue }
            let kind = (flag["kind"] ?? record["kind"]).flatMap(text)
            let owner = (flag["owner"] ?? record["owner"]).flatMap(text)
            if kind != nil || owner != nil { out[key] = (kind, owner) }
        }
        return out
    }

    /// A person or kind as words: a string, or an object's `name` (with its `email`), `id` or `key`.
    private static func text(_ value: Value) -> String? {
        switch value {
        case .string(let text): return text.isEmpty ? nil : text
        case .object(let fields):
            let name = fields["name"]?.stringValue ?? fields["id"]?.stringValue ?? fields["key"]?.stringValue
            guard let name else { return fields["email"]?.stringValue }
            return fields["email"]?.stringValue.map { "\(name) <\($0)>" } ?? name
        default: return nil
        }
    }
}
