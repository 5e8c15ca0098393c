import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch release start|status|pause|resume|abort KEY --env E`: guarded progressive rollouts.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Roll a variant out step by step, guarded by the error rates applications report.",
        discussion: """
            The server widens the rollout one step each time the step duration has passed and at least \
            --min-samples evaluations of each side were reported with no sign of trouble, and rolls the \
            variant back to 0 % at once (as clutch-guard) when its error rate is shown to be above \
            --max-error-ratio times the rest of the rollout's (a sequential test that stays valid however \
            often it is checked). Applications report errors with the SDK's recordError(flag:context:) or \
            in the usage report's "errors" field.
            """,
        subcommands: [Start.self, StatusCommand.self, Move<PauseAction>.self, Move<ResumeAction>.self, Abort.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn the flag on with a rollout of the variant, starting where it is, and let the guard widen it.",
            discussion: """
                The release starts from the exposure the flag already gives the variant: with the default \
                at 50 % of the variant by the same attribute, the steps 1,5,25,50,100 run 50, 100 (the first \
                step is the larger of the current percentage and the first step; steps at or below it are \
                skipped), so a release never takes the variant away from anyone. When that cannot be continued \
                (the rollout is by another attribute, or everyone already gets the variant) the server refuses, \
                naming what the flag serves; --restart-from PERCENT starts from PERCENT instead, lowering \
                exposure if it is lower. 'clutch release abort' returns to what the flag served before.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var environment: EnvironmentOption
        @OptionGroup var change: MessageOption
        @Argument(help: "The flag's key.") var key: String

        @Option(help: ArgumentHelp("The variant released.", valueName: "variant"))
        var variant = "on"

        @Option(help: ArgumentHelp("The sticky attribute to bucket by.", valueName: "attribute"))
        var by = Rollout.defaultBucketBy

        @Option(help: ArgumentHelp("Percentages, increasing, ending at 100.", valueName: "list"))
        var steps = "1,5,25,50,100"

        @Option(name: .customLong("step-duration"), help: ArgumentHelp("The least time per step: 90s, 10m, 2h (at least 1s).", valueName: "duration"))
        var stepDuration = "10m"

        @Option(name: .customLong("min-samples"), help: ArgumentHelp("Evaluations each side needs per step.", valueName: "n"))
        var minSamples: Int64 = ReleasePolicy.defaultMinSamples

        @Option(name: .customLong("max-error-ratio"), help: ArgumentHelp("Roll back above this multiple of the other side's error rate.", valueName: "ratio"))
        var maxErrorRatio: Double = ReleasePolicy.defaultMaxErrorRatio

        @Option(
            name: .customLong("restart-from"),
            help: ArgumentHelp("Start from this percentage instead of the flag's current exposure (may lower it).", valueName: "percent"))
        var restartFrom: String?

        func run() async throws {
            let env = try environment.required()
            var percentages: [Double] = []
            for part in steps.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else {
                    throw CLIError.usage("--steps: '\(part)' is not a percentage", hint: "e.g. --steps 1,5,25,50,100")
                }
                percentages.append(value)
            }
            guard let seconds = ReleaseDuration.seconds(stepDuration) else {
                throw CLIError.usage("--step-duration: '\(stepDuration)' is not a duration", hint: "e.g. 90s, 10m, 2h")
            }
            // Exact to 0.001 %, as rollouts are; above 0 and below 100 (the server says so too).
            let restart = try restartFrom.map { Double(try Percent.weight($0, option: "--restart-from")) / 1000 }
            if let restart, restart <= 0 || restart >= 100 {
                throw CLIError.usage("--restart-from: a percentage above 0 and below 100", hint: "e.g. --restart-from 1")
            }
            let policy = ReleasePolicy(
                variant: variant, bucketBy: by, steps: percentages, stepDuration: seconds, minSamples: minSamples,
                maxErrorRatio: maxErrorRatio)
            // The same rules the server applies, checked before talking to it.
            if let issue = policy.issues().first {
                let option = ["steps": "--steps", "stepDuration": "--step-duration", "minSamples": "--min-samples",
                              "maxErrorRatio": "--max-error-ratio", "variant": "--variant", "bucketBy": "--by"]
                let name = option[String(issue.path.prefix { $0 != "[" })] ?? issue.path
                throw CLIError.usage("\(name): \(issue.message)")
            }
            let response = try await connection.client().send(
                "POST", ReleaseCommand.path(key, env),
                json: ReleaseStartRequest(
                    variant: variant, bucketBy: by, steps: percentages, stepDuration: seconds, minSamples: minSamples,
                    maxErrorRatio: maxErrorRatio, restartFrom: restart),
                message: change.message)
            if connection.json { return Output.json(try response.json()) }
            let record = try response.decode(ReleaseView.self)
            Output.text(ReleaseReport.startedHeadline(record))
            Output.text(ReleaseReport.render(record))
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "End the release and return the flag to what it served before it (one revision).",
            discussion: """
                The default goes back to what it was when the release started (and the flag off again if \
                it was off; abort never turns a flag on). --to 0 instead takes the variant to 0 % for \
                everyone not targeted, leaving the flag on. A rollback by the guard always goes to 0 %.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var environment: EnvironmentOption
        @OptionGroup var change: MessageOption
        @Argument(help: "The flag's key.") var key: String

        @Option(help: ArgumentHelp("0: the variant to 0 % instead of the state before the release.", valueName: "percent"))
        var to: String?

        func run() async throws {
            let env = try environment.required()
            var body = ReleaseAbortRequest()
            if let to {
                guard (try? Percent.weight(to, option: "--to")) == 0 else {
                    throw CLIError.usage("--to: only 0 is accepted", hint: "without --to, abort returns to the state before the release")
                }
                body.to = 0
            }
            let response = try await connection.client().send(
                "POST", ReleaseCommand.path(key, env) + ["abort"], json: body, message: change.message)
            try ReleaseCommand.print(response, json: connection.json)
        }
    }

    struct StatusCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Show the flag's latest release: state, step, time in step, figures per side, verdict.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var environment: EnvironmentOption
        @Argument(help: "The flag's key.") var key: String

        func run() async throws {
            let env = try environment.required()
            let response = try await connection.client().send("GET", ReleaseCommand.path(key, env))
            try ReleaseCommand.print(response, json: connection.json)
        }
    }

    /// `pause`, `resume` and `abort`: one command shape, told apart by the action.
    struct Move<Action: ReleaseMoveAction>: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: Action.name, abstract: Action.abstract)
        }

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var environment: EnvironmentOption
        @OptionGroup var change: MessageOption
        @Argument(help: "The flag's key.") var key: String

        func run() async throws {
            let env = try environment.required()
            let response = try await connection.client().send(
                "POST", ReleaseCommand.path(key, env) + [Action.name], body: nil, message: change.message)
            try ReleaseCommand.print(response, json: connection.json)
        }
    }

    static func path(_ key: String, _ environment: String) -> [String] {
        ["flags", key, "environments", environment, "release"]
    }

    static func print(_ response: AdminClient.Response, json: Bool) throws {
        if json { return Output.json(try response.json()) }
        Output.text(ReleaseReport.render(try response.decode(ReleaseView.self)))
    }
}

/// A move of a running or paused release (`POST …/release/<name>`).
protocol ReleaseMoveAction {
    static var name: String { get }
    static var abstract: String { get }
}

enum PauseAction: ReleaseMoveAction {
    static let name = "pause"
    static let abstract = "Stop widening the release (the rollout stays where it is)."
}

enum ResumeAction: ReleaseMoveAction {
    static let name = "resume"
    static let abstract = "Resume a paused release at its step (the rollout is set to the step's percentage again)."
}

/// A release (``ReleaseView``, as `GET /api/v1/flags/{key}/environments/{env}/release` answers it) for people.
enum ReleaseReport {
    /// Reporters a status lists: the first ``shownReporters`` by volume and every one left out.
    static let shownReporters = 20

    /// `Release started: new-checkout in production at 50 % (was 50% on / 50% off by targetingKey); next 100 % after 10m`.
    static func startedHeadline(_ r: ReleaseView) -> String {
        let was = r.replaced.map { " (was \($0.text))" } ?? ""
        let next = r.steps.count > r.step
            ? "; next \(ReleaseFormat.percent(r.steps[r.step])) after \(ReleaseDuration.text(r.stepDuration))" : ""
        return "Release started: \(r.flag) in \(r.environment) at \(ReleaseFormat.percent(r.percent))\(was)\(next)"
    }

    static func render(_ r: ReleaseView) -> String {
        func rate(_ side: ReleaseView.Side) -> String { "\(ReleaseFormat.number(side.errorRate * 100)) %" }
        var lines = [
            "Release of \(r.flag) '\(r.variant)' in \(r.environment): \(r.state), step \(r.step)/\(r.steps.count) at \(ReleaseFormat.percent(r.percent))"
                + (r.state == "running" || r.state == "paused" ? " for \(ReleaseDuration.text(r.secondsInStep.rounded()))" : ""),
            "Steps \(r.steps.map(ReleaseFormat.number).joined(separator: ", ")) % by \(r.bucketBy), \(ReleaseDuration.text(r.stepDuration)) each, "
                + "≥ \(r.minSamples) evaluations a side, rolls back above \(ReleaseFormat.number(r.maxErrorRatio))× the errors",
        ]
        if let reason = r.reason { lines.append("Why: \(reason)") }
        var table = Table(["side", "evaluations", "errors", "error rate", "this step"])
        table.add(["new '\(r.variant)'", "\(r.total.new.evaluations)", "\(r.total.new.errors)", rate(r.total.new), "\(r.currentStep.new.evaluations)"])
        table.add(["other", "\(r.total.other.evaluations)", "\(r.total.other.errors)", rate(r.total.other), "\(r.currentStep.other.evaluations)"])
        lines.append(table.render())
        lines.append("Verdict: \(r.verdict) (e-value \(ReleaseFormat.number(r.eValue)); rolls back at \(ReleaseFormat.number(r.rollbackThreshold)))")
        let reporters = r.reporters
        if !reporters.isEmpty {
            let shown = reporters.enumerated().filter { $0.offset < shownReporters || $0.element.status != "counted" }.map(\.element)
            var table = Table(["reporter", "status", "new evaluations", "new errors", "other evaluations", "other errors", "log e-value", "why"])
            for reporter in shown {
                table.add([
                    reporter.reporter, reporter.status, "\(reporter.new.evaluations)", "\(reporter.new.errors)", "\(reporter.other.evaluations)",
                    "\(reporter.other.errors)", String(format: "%.2f", reporter.logEValue), reporter.reason ?? "",
                ])
            }
            lines.append("Reporters (\(reporters.count)):")
            lines.append(table.render())
            if shown.count < reporters.count { lines.append("… and \(reporters.count - shown.count) more, all counted") }
        }
        if let last = r.transitions.last { lines.append("Last: \(Output.time(last.at)) \(last.kind.rawValue) by \(last.actor): \(last.message)") }
        return lines.joined(separator: "\n")
    }
}
