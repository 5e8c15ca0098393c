import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch block KEY --env E --reason R [--until T]`, `clutch block --env E --all --reason R`:
/// anyone signed in may stop a flag, or a whole environment, from widening.
struct Block: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop a flag (or with --all, every flag) in an environment from widening: anyone may.",
        discussion: """
            While a block holds, changes that could give someone something new are refused, releases hold at their \
            step and scheduled widening changes fail; turning off, kill and rollbacks to off still apply. \
            'clutch unblock' lifts it (its blocker or an owner).
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @ArgumentParser.Flag(help: "Block every flag in the environment (a change freeze).") var all = false
    @Option(help: ArgumentHelp("Why: shown to everyone the block stops.", valueName: "text")) var reason: String
    @Option(help: ArgumentHelp("When it ends by itself (RFC 3339, e.g. 2026-12-08T09:00:00Z); default: until unblocked.", valueName: "time"))
    var until: String?
    @Argument(help: "The flag's key (or --all).") var key: String?

    func run() async throws {
        let env = try environment.required()
        let flag = try BlockTarget.flag(key, all: all)
        let response = try await connection.client().send(
            "POST", ["blocks"], json: BlockCreate(environment: env, flag: flag, reason: reason, until: until), message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let block = try response.decode(BlockRecord.self)
        Output.text("\(Style.red("Blocked")) \(block.subject) (\(block.id)): \(Output.printable(block.byWhomAndWhy))")
    }
}

/// `clutch unblock KEY --env E`, `clutch unblock --env E --all`: lifts the blocks of the flag
/// (or the environment's own) there that the caller may lift (their own; an owner's: all), and
/// names those it lifted and those it left. `clutch unblock --id ID` lifts one block
/// (`clutch blocks list` shows the ids).
struct Unblock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lift a flag's blocks (or with --all, the environment's) in an environment, or one block by --id: its blocker or an owner.",
        discussion: """
            By flag or --all, the blocks you may lift are lifted (yours; an owner's: every one) and those of others stay, \
            named. 'clutch blocks list' shows every block's id for --id.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @ArgumentParser.Flag(help: "Lift the blocks of the whole environment.") var all = false
    @Option(help: ArgumentHelp("Lift this one block (an id from 'clutch blocks list').", valueName: "id")) var id: String?
    @Argument(help: "The flag's key (or --all, or --id).") var key: String?

    func run() async throws {
        let client = try connection.client()
        if let id {
            guard key == nil, !all, environment.env == nil else { throw CLIError.usage("give --id alone: it names one block, wherever it is") }
            let response = try await client.send("DELETE", ["blocks", id], message: change.message)
            if connection.json { return Output.json(try response.json()) }
            let block = try response.decode(BlockRecord.self)
            return Output.text("Unblocked \(block.subject) (\(block.id)).")
        }
        let env = try environment.required()
        let flag = try BlockTarget.flag(key, all: all)
        var query = [("environment", env)]
        if let flag { query.append(("flag", flag)) }
        let holding = try await client.send("GET", ["blocks"], query: query).decode(BlockList.self).blocks.filter { $0.flag == flag }
        let subject = flag.map { "\($0) in \(env)" } ?? env
        guard !holding.isEmpty else { throw CLIError.failed("\(subject) is not blocked") }
        var lifted: [BlockRecord] = [], liftedJSON: [Value] = [], kept: [(BlockRecord, CLIError)] = []
        for block in holding {
            do {
                let response = try await client.send("DELETE", ["blocks", block.id], message: change.message)
                lifted.append(block)
                if connection.json { liftedJSON.append(try response.json()) }
            } catch let refusal as CLIError where refusal.code == "forbidden" {
                kept.append((block, refusal))
            }
        }
        // Nothing lifted: the refusal itself (who may lift it) is the answer.
        if lifted.isEmpty, let (_, refusal) = kept.first { throw refusal }
        if connection.json { return Output.json(.array(liftedJSON)) }
        var lines = ["Unblocked \(subject) (\(lifted.map(\.id).joined(separator: ", ")))."]
        for (block, _) in kept {
            lines.append("Still blocked: \(block.id) \(Output.printable(block.byWhomAndWhy)) (only its blocker or an owner may lift it)")
        }
        Output.text(lines.joined(separator: "\n"))
    }
}

/// `clutch blocks list [--env E] [KEY]`.
struct BlocksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks", abstract: "The blocks that hold now.", subcommands: [BlocksList.self])
}

struct BlocksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the blocks that hold now, oldest first.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "Only those stopping this flag (its own and its environments').") var key: String?

    func run() async throws {
        var query: [(String, String)] = []
        if let env = environment.optional() { query.append(("environment", env)) }
        if let key { query.append(("flag", key)) }
        let response = try await connection.client().send("GET", ["blocks"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let blocks = try response.decode(BlockList.self).blocks
        if blocks.isEmpty { return Output.text("No blocks hold.") }
        var table = Table(["ID", "ENVIRONMENT", "FLAG", "BY", "UNTIL", "REASON"])
        for block in blocks {
            table.add([
                block.id, block.environment, block.flag ?? "(all)", Output.printable(block.createdBy),
                block.until.map { Output.time($0) } ?? "-", Output.printable(block.reason),
            ])
        }
        Output.text(table.render())
    }
}

/// The flag a block command names: the key, or `nil` with `--all`; one of them, not both.
enum BlockTarget {
    static func flag(_ key: String?, all: Bool) throws -> String? {
        switch (key, all) {
        case (let key?, false): return key
        case (nil, true): return nil
        case (.some, true): throw CLIError.usage("give a flag's key or --all, not both")
        case (nil, false): throw CLIError.usage("give the flag's key, or --all for the whole environment")
        }
    }
}
