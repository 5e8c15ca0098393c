import ClutchCore

/// How state-changing commands report: the server's record with `--json`, otherwise a
/// headline and the environment's resulting state.
enum ChangeReport {
    static func print(
        _ outcome: FlagEditor.Outcome, environment: String, json: Bool, headline: String
    ) {
        if let scheduled = outcome.scheduled {
            return Scheduling.report(scheduled, json: outcome.json, asJSON: json)
        }
        // Attribute warnings were printed as the answer came (``AdminClient/printWarnings(_:)``).
        if json {
            Output.json(outcome.json)
            return
        }
        let flag = outcome.record.flag
        if !outcome.changed {
            Output.text("\(flag.key) in \(environment): nothing to change (revision \(outcome.record.revision) stays)")
            return
        }
        Output.text(headline)
        Output.text(Describe.state(flag, environment: environment, revision: outcome.record.revision))
        if !flag.state(in: environment).enabled {
            Output.text(Style.yellow("note: \(flag.key) is off in \(environment); nobody gets this until 'clutch on \(flag.key) --env \(environment)'"))
        }
    }
}
