import ArgumentParser
import ClutchCore

/// `clutch rules …`: ordered targeting rules of one environment; numbers start at 1.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove and reorder a flag's rules in one environment.",
        discussion: """
            --where syntax: [not] ATTRIBUTE OPERATOR VALUE[,VALUE…], [not] in cohort NAME, or \
            ATTRIBUTE exists. Operators: \(Operator.spellings). Examples: 'plan in enterprise,pro', \
            'appVersion semver>= 2.3.0', 'email endsWith @acme.com', 'signupDate after 2026-01-01', \
            'not country in FR,DE'. Several --where must all hold.
            """,
        subcommands: [RulesList.self, RulesAdd.self, RulesRemove.self, RulesMove.self],
        defaultSubcommand: RulesList.self)
}

struct RulesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the rules in the order they are tried.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let env = try environment.required()
        let (record, _) = try await FlagEditor(client: try connection.client()).read(key)
        let state = record.flag.state(in: env)
        if connection.json {
            struct Listing: Encodable {
                var flag: String
                var environment: String
                var revision: Int64
                var rules: [ClutchCore.Rule]
            }
            return try Output.json(encoding: Listing(flag: key, environment: env, revision: record.revision, rules: state.rules))
        }
        if state.rules.isEmpty {
            return Output.text("\(key) has no rules in \(env); everyone not targeted gets: \(Describe.fallback(record.flag, state))")
        }
        var table = Table(["#", "WHEN", "SERVE"])
        for (i, rule) in state.rules.enumerated() {
            table.add([String(i + 1), Describe.clauses(rule.clauses), Describe.serve(rule.serve)])
        }
        table.add(["-", "everyone else", Describe.fallback(record.flag, state)])
        Output.text(table.render())
    }
}

struct RulesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a rule (at the end, or --position N).", discussion: WhereParser.help)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var revision: RevisionOption
    @OptionGroup var schedule: ScheduleOption
    @Argument(help: "The flag's key.") var key: String

    @Option(name: .customLong("where"), help: ArgumentHelp("A condition, repeatable; all must hold.", valueName: "condition"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("Serve this variant.", valueName: "variant"))
    var serve: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Serve --variant to this percentage (the rest: off variant).", valueName: "percent"))
    var percent: String?

    @Option(help: ArgumentHelp("The variant for --percent (default: on for booleans).", valueName: "variant"))
    var variant: String?

    @Option(help: ArgumentHelp("Split over variants, e.g. a=25,b=75.", valueName: "weights"))
    var weights: String?

    @Option(help: ArgumentHelp("Sticky attribute for --percent/--weights (default targetingKey).", valueName: "attribute"))
    var by: String?

    @Option(help: ArgumentHelp("Insert as rule N (1 = tried first).", valueName: "n"))
    var position: Int?

    @Option(help: ArgumentHelp("What the rule is for.", valueName: "text"))
    var description: String?

    func run() async throws {
        let env = try environment.required()
        // `--at` once gave the rule's position here; it is a time now, as everywhere else.
        if let at = schedule.at, Int(at) != nil {
            throw CLIError.usage("--at takes a time (2026-12-01T09:00:00Z or +2h); give the rule's position with --position \(at)")
        }
        guard !conditions.isEmpty else {
            throw CLIError.usage("a rule needs --where, e.g. --where 'plan in enterprise,pro'")
        }
        let given = [serve != nil, percent != nil, weights != nil].filter { $0 }.count
        guard given == 1 else {
            throw CLIError.usage("give exactly one of --serve VARIANT, --percent P or --weights a=25,b=75")
        }
        let clauses = try conditions.map(WhereOption.parse)
        if let percent { _ = try Percent.weight(percent, option: "--percent") }
        if let weights { _ = try Percent.weights(weights) }
        let (serve, percent, variant, weights, by, at, description) = (self.serve, self.percent, self.variant, self.weights, self.by, self.position, self.description)
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        var position = 0
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { flag, state in
            let what: Serve
            if let serve {
                what = .variant(try FlagEditor.variant(serve, of: flag))
            } else {
                what = .rollout(try RolloutBuilder.build(flag: flag, percent: percent, variant: variant, weights: weights, by: by, previous: nil))
            }
            let index = try at.map { try RuleNumber.index($0, in: state, insertion: true) } ?? state.rules.count
            state.rules.insert(Rule(description: description, clauses: clauses, serve: what), at: index)
            state.pinDefaultToOff(of: flag)
            position = index + 1
        }
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: "Added rule \(position) in \(env).")
    }
}

struct RulesRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove rule N.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String
    @Argument(help: "The rule's number (1 = first).") var number: Int

    func run() async throws {
        let env = try environment.required()
        let number = self.number
        var removed = ""
        let outcome = try await FlagEditor(client: try connection.client(), at: try schedule.date()).edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { _, state in
            let index = try RuleNumber.index(number, in: state, insertion: false)
            removed = Describe.rule(state.rules.remove(at: index))
        }
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: "Removed rule \(number) in \(env): \(removed)")
    }
}

struct RulesMove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "move", abstract: "Move rule N to position M.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String
    @Argument(help: "The rule's number (1 = first).") var number: Int
    @Option(help: ArgumentHelp("Its new number.", valueName: "m")) var to: Int

    func run() async throws {
        let env = try environment.required()
        let (number, to) = (self.number, self.to)
        let outcome = try await FlagEditor(client: try connection.client(), at: try schedule.date()).edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { _, state in
            let from = try RuleNumber.index(number, in: state, insertion: false)
            let target = try RuleNumber.index(to, in: state, insertion: false)
            let rule = state.rules.remove(at: from)
            state.rules.insert(rule, at: target)
        }
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: "Moved rule \(number) to \(to) in \(env).")
    }
}
