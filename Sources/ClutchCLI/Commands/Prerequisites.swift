import ArgumentParser
import ClutchCore

/// `clutch prerequisites add|remove KEY --requires OTHER --env E`: flags that must serve a
/// variant before KEY's targets, rules and default apply in one environment.
struct Prerequisites: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a flag's targeting depend on other flags in one environment.",
        discussion: """
            A flag with prerequisites serves its targets, rules and default only to contexts for which \
            every prerequisite flag is on and serves the variant named; to everyone else it serves its \
            off variant (reason PREREQUISITE_FAILED). The server refuses prerequisites on flags that do \
            not exist, variants they lack, and cycles.
            """,
        subcommands: [PrerequisitesAdd.self, PrerequisitesRemove.self])
}

struct PrerequisitesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Require another flag to serve a variant (replaces the variant if it is required already).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String
    @Option(help: ArgumentHelp("The flag required.", valueName: "flag")) var requires: String
    @Option(help: ArgumentHelp("The variant it must serve.", valueName: "variant")) var variant = "on"

    func run() async throws {
        let env = try environment.required()
        let prerequisite = Prerequisite(flag: requires, variant: variant)
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { _, state in
            state.addPrerequisite(prerequisite)
        }
        ChangeReport.print(
            outcome, environment: env, json: connection.json,
            headline: "\(key) now requires \(prerequisite.flag) to serve '\(prerequisite.variant)' in \(env).")
    }
}

struct PrerequisitesRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop requiring another flag.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String
    @Option(help: ArgumentHelp("The flag no longer required.", valueName: "flag")) var requires: String

    func run() async throws {
        let env = try environment.required()
        let (key, requires) = (self.key, self.requires)
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { _, state in
            // A typo should not pass for success: removing what is not there is refused.
            guard state.prerequisites.contains(where: { $0.flag == requires }) else {
                let known = state.prerequisites.map(\.flag)
                throw CLIError.failed(
                    "\(key) does not require \(requires) in \(env)"
                        + (known.isEmpty ? " (it has no prerequisites there)" : " (it requires: \(known.joined(separator: ", ")))"))
            }
            state.prerequisites.removeAll { $0.flag == requires }
        }
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: "\(key) no longer requires \(requires) in \(env).")
    }
}
