import ArgumentParser
import ClutchCore

/// `clutch target KEY --env E --admins …`: a variant for named people.
struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target",
        abstract: "Serve a variant to admins, named customers or users, or a cohort.",
        discussion: "Targeting never switches a flag on or off: a flag that is off serves its off variant to everyone until 'clutch on'. A flag still on its natural default gets the off variant as default, so only the people targeted get it.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @OptionGroup var audience: AudienceOptions
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let env = try environment.required()
        let audiences = try audience.audiences()
        let serve = audience.serve
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        var variant = ""
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { flag, state in
            variant = try FlagEditor.variant(serve ?? FlagEditor.defaultServeVariant(of: flag), of: flag)
            for audience in audiences { state.target(audience, variant: variant) }
            state.pinDefaultToOff(of: flag)
        }
        let who = audiences.map(\.label).joined(separator: "; ")
        // On a flag that is off nobody gets it yet (the report's note says how to turn it on).
        let headline = outcome.record.flag.state(in: env).enabled
            ? "\(who) now get '\(variant)' in \(env)."
            : "\(who) will get '\(variant)' in \(env) once the flag is on."
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: headline)
    }
}

/// `clutch untarget KEY --env E --customers acme`: removes what `target` added.
struct Untarget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop targeting admins, customers, users or a cohort (only where they get --serve, if given).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @OptionGroup var audience: AudienceOptions
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let env = try environment.required()
        let audiences = try audience.audiences()
        let serve = audience.serve
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { flag, state in
            let variant = try serve.map { try FlagEditor.variant($0, of: flag) }
            for audience in audiences { state.untarget(audience, variant: variant) }
        }
        ChangeReport.print(
            outcome, environment: env, json: connection.json,
            headline: "\(audiences.map(\.label).joined(separator: "; ")) no longer targeted in \(env).")
    }
}
