import ArgumentParser
import ClutchCore

/// Who to target: `--admins`, `--customers`, `--users`, `--cohort`, and `--serve`.
struct AudienceOptions: ParsableArguments {
    @ArgumentParser.Flag(help: "Admins: a rule 'role in admin' (role may be an array).")
    var admins = false

    @Option(help: ArgumentHelp("Customers by customerId, comma-separated.", valueName: "ids"))
    var customers: [String] = []

    @Option(help: ArgumentHelp("Users by targetingKey, comma-separated.", valueName: "ids"))
    var users: [String] = []

    @Option(help: ArgumentHelp("A cohort's members: a rule 'in cohort NAME'.", valueName: "name"))
    var cohort: [String] = []

    @Option(help: ArgumentHelp("The variant they get (default: on for booleans).", valueName: "variant"))
    var serve: String?

    /// The audiences named, in the order admins, customers, users, cohorts.
    func audiences() throws -> [Audience] {
        var result: [Audience] = []
        if admins { result.append(.admins) }
        let customerIDs = Self.split(customers)
        if !customerIDs.isEmpty { result.append(.customers(customerIDs)) }
        let userIDs = Self.split(users)
        if !userIDs.isEmpty { result.append(.users(userIDs)) }
        for name in Self.split(cohort) { result.append(.cohort(name)) }
        if result.isEmpty {
            throw CLIError.usage("say who: --admins, --customers a,b, --users u1,u2 or --cohort NAME")
        }
        return result
    }

    private static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// `clutch target KEY --env E --admins …`: a variant for named people.
struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target",
        abstract: "Serve a variant to admins, named customers or users, or a cohort.",
        discussion: "Targeting never switches a flag on or off: a flag that is off serves its off variant to everyone until 'clutch on'. A flag still on its natural default gets the off variant as default, so only the people targeted get it.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var audience: AudienceOptions
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let env = try environment.required()
        let audiences = try audience.audiences()
        let serve = audience.serve
        let editor = FlagEditor(client: try connection.client())
        var variant = ""
        let outcome = try await editor.edit(key, environment: env, message: change.message) { flag, state in
            variant = try FlagEditor.variant(serve ?? FlagEditor.defaultServeVariant(of: flag), of: flag)
            for audience in audiences { state.target(audience, variant: variant) }
            state.pinDefaultToOff(of: flag)
        }
        ChangeReport.print(
            outcome, environment: env, json: connection.json,
            headline: "\(audiences.map(\.label).joined(separator: "; ")) now get '\(variant)' in \(env).")
    }
}

/// `clutch untarget KEY --env E --customers acme`: removes what `target` added.
struct Untarget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop targeting admins, customers, users or a cohort (only where they get --serve, if given).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var audience: AudienceOptions
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let env = try environment.required()
        let audiences = try audience.audiences()
        let serve = audience.serve
        let editor = FlagEditor(client: try connection.client())
        let outcome = try await editor.edit(key, environment: env, message: change.message) { flag, state in
            let variant = try serve.map { try FlagEditor.variant($0, of: flag) }
            for audience in audiences { state.untarget(audience, variant: variant) }
        }
        ChangeReport.print(
            outcome, environment: env, json: connection.json,
            headline: "\(audiences.map(\.label).joined(separator: "; ")) no longer targeted in \(env).")
    }
}
