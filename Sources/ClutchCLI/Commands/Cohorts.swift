import ArgumentParser
import Foundation
import ClutchAPI
import ClutchCore

/// `clutch cohorts …`: named sets of customers in one environment.
struct Cohorts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, create and delete cohorts, and add or remove their members.",
        subcommands: [CohortsList.self, CohortsGet.self, CohortsCreate.self, CohortsDelete.self, CohortsAdd.self, CohortsRemove.self],
        defaultSubcommand: CohortsList.self)

    /// A comma-separated, repeatable list option as values.
    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func describe(_ record: CohortRecord) -> String {
        let cohort = record.cohort
        var lines = ["\(Style.bold(cohort.key)) in \(record.environment) (revision \(record.revision))"]
        if !cohort.description.isEmpty { lines.append("  \(Output.printable(cohort.description))") }
        lines.append("  members (\(cohort.attribute)): \(cohort.members.isEmpty ? "-" : cohort.members.joined(separator: ", "))")
        if !cohort.clauses.isEmpty { lines.append("  or when: \(Describe.clauses(cohort.clauses))") }
        return lines.joined(separator: "\n")
    }
}

struct CohortsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List an environment's cohorts.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    func run() async throws {
        let env = try environment.required()
        let response = try await connection.client().send("GET", ["environments", env, "cohorts"])
        if connection.json { return Output.json(try response.json()) }
        let cohorts = try response.decode(CohortList.self).cohorts
        if cohorts.isEmpty { return Output.text("No cohorts in \(env). Create one with 'clutch cohorts create NAME --env \(env) --customers a,b'.") }
        var table = Table(["KEY", "ATTRIBUTE", "MEMBERS", "CLAUSES", "UPDATED"])
        for record in cohorts {
            let cohort = record.cohort
            table.add([
                cohort.key, cohort.attribute, String(cohort.members.count),
                cohort.clauses.isEmpty ? "-" : Describe.clauses(cohort.clauses), Output.time(record.updatedAt),
            ])
        }
        Output.text(table.render())
    }
}

struct CohortsGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a cohort.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The cohort's key.") var name: String

    func run() async throws {
        let env = try environment.required()
        let response = try await connection.client().send("GET", ["environments", env, "cohorts", name])
        if connection.json { return Output.json(try response.json()) }
        Output.text(Cohorts.describe(try response.decode(CohortRecord.self)))
    }
}

struct CohortsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a cohort from members and/or --where clauses.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @Argument(help: "The cohort's key.") var name: String

    @Option(name: [.customLong("customers"), .customLong("members")], help: ArgumentHelp("Members, comma-separated.", valueName: "ids"))
    var members: [String] = []

    @Option(help: ArgumentHelp("The attribute members are compared with (default customerId).", valueName: "attribute"))
    var attribute: String = "customerId"

    @Option(name: .customLong("where"), help: ArgumentHelp("A condition that also makes a context a member; repeatable, all must hold.", valueName: "condition"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("What the cohort is.", valueName: "text"))
    var description: String = ""

    func run() async throws {
        let env = try environment.required()
        let clauses = try conditions.map(WhereOption.parse)
        let cohort = Cohort(key: name, description: description, attribute: attribute, members: Cohorts.split(members), clauses: clauses)
        if let issue = cohort.validationIssues().first {
            throw CLIError.failed(issue.description, hint: cohort.members.isEmpty && cohort.clauses.isEmpty ? "add --customers a,b or --where …" : nil)
        }
        let response = try await connection.client().send("POST", ["environments", env, "cohorts"], json: cohort, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        Output.text("Created cohort:")
        Output.text(Cohorts.describe(try response.decode(CohortRecord.self)))
    }
}

struct CohortsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a cohort no flag's rule names.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @Argument(help: "The cohort's key.") var name: String

    func run() async throws {
        let env = try environment.required()
        _ = try await connection.client().send("DELETE", ["environments", env, "cohorts", name], message: change.message)
        if connection.json { return Output.json(["deleted": .string(name), "environment": .string(env)]) }
        Output.text("Deleted cohort \(name) in \(env).")
    }
}

struct CohortsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add members to a cohort.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @Argument(help: "The cohort's key.") var name: String

    @Option(name: [.customLong("customers"), .customLong("members")], help: ArgumentHelp("Members, comma-separated.", valueName: "ids"))
    var members: [String] = []

    func run() async throws {
        try await CohortMembers.change(
            name, add: Cohorts.split(members), remove: [], environment: environment, connection: connection, message: change.message,
            at: try schedule.date())
    }
}

struct CohortsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove members from a cohort.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @Argument(help: "The cohort's key.") var name: String

    @Option(name: [.customLong("customers"), .customLong("members")], help: ArgumentHelp("Members, comma-separated.", valueName: "ids"))
    var members: [String] = []

    func run() async throws {
        try await CohortMembers.change(
            name, add: [], remove: Cohorts.split(members), environment: environment, connection: connection, message: change.message,
            at: try schedule.date())
    }
}

enum CohortMembers {
    static func change(
        _ name: String, add: [String], remove: [String], environment: EnvironmentOption, connection: ConnectionOptions, message: String?,
        at: Date?
    ) async throws {
        let env = try environment.required()
        guard !add.isEmpty || !remove.isEmpty else { throw CLIError.usage("name the members: --customers a,b") }
        var instructions: [MemberInstruction] = []
        if !add.isEmpty { instructions.append(.addMembers(add)) }
        if !remove.isEmpty { instructions.append(.removeMembers(remove)) }
        if let at {
            let (record, json) = try await Scheduling.send(
                try connection.client(), cohort: true, key: name, environment: env, instructions: instructions, at: at, message: message)
            return Scheduling.report(record, json: json, asJSON: connection.json)
        }
        let client = try connection.client()
        let response: AdminClient.Response
        do {
            response = try await client.send(
                "POST", ["environments", env, "cohorts", name, "changes"], json: CohortChanges(instructions: instructions), message: message)
        } catch {
            // A cohort that flags on in a protected environment name: the same instructions, as a change request.
            try await RequestsCommand.openInstead(
                of: error, client: client,
                ChangeRequestCreate(cohort: name, environment: env, memberInstructions: instructions, message: message), json: connection.json)
        }
        if connection.json { return Output.json(try response.json()) }
        Output.text(describe(try response.decode(MembershipResult.self)))
    }

    /// One line: what changed, and the size after it (never the whole member list: a cohort
    /// may have millions).
    static func describe(_ result: MembershipResult) -> String {
        var parts: [String] = []
        if !result.added.isEmpty { parts.append("added \(list(result.added))") }
        if !result.removed.isEmpty { parts.append("removed \(list(result.removed))") }
        let size = "\(result.size) member\(result.size == 1 ? "" : "s")"
        let what = parts.isEmpty ? "no change" : parts.joined(separator: ", ")
        return "Cohort \(result.cohort) in \(result.environment): \(what); \(size) (revision \(result.revision))."
    }

    private static func list(_ members: [String]) -> String {
        members.count <= 10 ? members.joined(separator: ", ") : "\(members.count) members"
    }
}
