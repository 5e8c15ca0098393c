import ClutchCore
import ClutchStore
import Foundation

/// The flag page's release card: the latest release in the environment (state, step and
/// percentage, when the next step may come, the figures per side, why it is paused or ended,
/// every transition) with both sides' error rates over time as a server-rendered SVG chart (from
/// the release's samples, ``ReleaseSample``; the same figures as a table), the controls the one
/// policy lets the session use (pause, resume, abort), and the form that starts a release when
/// none is running or paused. Values only: the template (`releaseCard`) escapes them.
enum ConsoleReleaseCard {
    /// The chart's plot in SVG units, inside margins for the axes' labels.
    static let plotWidth = 560
    static let plotHeight = 140
    static let left = 44
    /// Room above the top of the scale, so that a line drawn there is not cut off.
    static let pad = 10
    static let bottom = 18
    /// Error-rate scales (in %) the chart's top may take: the first at or above the highest rate.
    static let scales: [Double] = [1, 2, 5, 10, 20, 50, 100]

    static func values(
        _ release: Release?, flag: Flag, env: String, session: ConsoleSession, input: [String: String], now: Date
    ) -> [String: Any] {
        var values: [String: Any] = [
            "releaseStartURL": ConsoleQuery.flagPath(flag.key, "/release/start"),
            "releasePauseURL": ConsoleQuery.flagPath(flag.key, "/release/pause"),
            "releaseResumeURL": ConsoleQuery.flagPath(flag.key, "/release/resume"),
            "releaseAbortURL": ConsoleQuery.flagPath(flag.key, "/release/abort"),
        ]
        values.merge(session.permissions([("Release", .edit(environment: env)), ("Respond", .respond(environment: env))])) { _, new in new }
        values.merge(form(flag, input: input)) { _, new in new }
        guard let release else {
            values["releaseCanStart"] = true
            return values
        }
        values["releaseCanStart"] = !release.state.isActive
        values["hasRelease"] = true
        values.merge(status(release, now: now)) { _, new in new }
        values.merge(chart(release, now: now)) { _, new in new }
        return values
    }

    /// The latest release of `flag` in `env`; `nil` when it never had one.
    static func latest(_ services: ServerServices, flag: String, env: String) async throws -> Release? {
        do {
            return try await services.store.release(flag: flag, environment: env)
        } catch let error as StoreError {
            if case .notFound = error.kind { return nil }
            throw error
        }
    }

    /// The start form's fields: what was typed (after a refusal), else the policy's defaults.
    static func form(_ flag: Flag, input: [String: String]) -> [String: Any] {
        let variant = input["releaseVariant"] ?? (flag.variant("on") != nil ? "on" : flag.targetingVariant)
        return [
            "releaseVariants": flag.variants.map { ["key": $0.key, "selected": $0.key == variant] },
            "releaseBucketBy": input["releaseBucketBy"] ?? Rollout.defaultBucketBy,
            "releaseSteps": input["releaseSteps"] ?? ReleasePolicy.defaultSteps.map(ReleaseFormat.number).joined(separator: ","),
            "releaseStepDuration": input["releaseStepDuration"] ?? ReleaseDuration.text(ReleasePolicy.defaultStepDuration),
            "releaseMinSamples": input["releaseMinSamples"] ?? String(ReleasePolicy.defaultMinSamples),
            "releaseMaxErrorRatio": input["releaseMaxErrorRatio"] ?? ReleaseFormat.number(ReleasePolicy.defaultMaxErrorRatio),
            "releaseRestartFrom": input["releaseRestartFrom"] ?? "",
            "releaseMessage": input["releaseMessage"] ?? "",
        ]
    }

    /// Where the release is, in words.
    static func status(_ release: Release, now: Date) -> [String: Any] {
        let policy = release.policy
        let index = release.progress.stepIndex
        var values: [String: Any] = [
            "releaseState": release.state.rawValue.replacingOccurrences(of: "_", with: " "),
            "releaseStateClass": release.state.rawValue,
            "releaseRunning": release.state == .running, "releasePaused": release.state == .paused,
            "releaseActive": release.state.isActive,
            "releaseVariant": policy.variant,
            "releasePercent": ReleaseFormat.percent(release.percent),
            "releaseStep": "\(index + 1) of \(policy.steps.count)",
            "releasePlan": policy.steps.map(ReleaseFormat.percent).joined(separator: " → "),
            "releasePolicyText": "by \(policy.bucketBy), each step at least \(ReleaseDuration.text(policy.stepDuration)) and "
                + "\(ConsoleFormat.count(policy.minSamples)) evaluations per side; rolled back when its error rate is shown above "
                + "\(ReleaseFormat.number(policy.maxErrorRatio))× the other side's",
            "releaseStartedBy": release.startedBy, "releaseStartedAt": ConsoleFormat.time(release.startedAt, now: now),
            "releaseVerdict": release.progress.verdict.rawValue.replacingOccurrences(of: "_", with: " "),
            "releaseNew": side(release.progress.total.new), "releaseOther": side(release.progress.total.other),
            "releaseStepNew": side(release.progress.step.new), "releaseStepOther": side(release.progress.step.other),
            "releaseTransitions": release.transitions.reversed().map { transition -> [String: Any] in
                [
                    "kind": transition.kind.rawValue.replacingOccurrences(of: "_", with: " "), "at": clock(transition.at),
                    "ago": ConsoleFormat.time(transition.at, now: now), "actor": transition.actor, "text": transition.message,
                ]
            },
        ]
        if let reason = release.reason { values["releaseReason"] = reason }
        if let message = release.message, !message.isEmpty { values["releaseStartMessage"] = message }
        if release.state == .running {
            if index + 1 < policy.steps.count {
                let due = release.progress.stepStartedAt.addingTimeInterval(policy.stepDuration)
                let wait = due.timeIntervalSince(now)
                values["releaseNext"] = "Next step, to \(ReleaseFormat.percent(policy.percent(at: index + 1))), at \(clock(due)) UTC at the earliest"
                    + (wait > 0 ? " (in \(ReleaseDuration.text(wait.rounded(.up))))" : "")
                    + ", once each side has \(ConsoleFormat.count(policy.minSamples)) evaluations in this step and the guard finds it healthy."
            } else {
                values["releaseNext"] = "This is the last step: the release completes at 100 %."
            }
        }
        return values
    }

    /// `12 errors / 3,400 evaluations (0.35 %)`.
    static func side(_ counts: SideCounts) -> String {
        "\(ConsoleFormat.count(counts.errors)) error\(counts.errors == 1 ? "" : "s") / \(ConsoleFormat.count(counts.evaluations)) evaluation\(counts.evaluations == 1 ? "" : "s") (\(rate(counts)))"
    }

    /// `0.35 %`; `–` without evaluations.
    static func rate(_ counts: SideCounts) -> String {
        counts.evaluations == 0 ? "–" : ReleaseFormat.number((counts.rate * 100 * 1000).rounded() / 1000) + " %"
    }

    /// Both sides' error rates over time: one point per sample that has evaluations on that side,
    /// joined into a line (the new side solid, the other dashed, so they differ without colour),
    /// a dotted vertical line where a step began, and the same figures as a table.
    static func chart(_ release: Release, now: Date) -> [String: Any] {
        let samples = release.samples
        guard !samples.isEmpty else { return ["releaseHasSamples": false] }
        let start = release.startedAt.timeIntervalSince1970
        let last = samples.map { $0.at.timeIntervalSince1970 }.max() ?? start
        let end = max(last, (release.state.isActive ? now : release.updatedAt).timeIntervalSince1970, start + 1)
        let rates: [Double] = samples.flatMap { [$0.new, $0.other] }.filter { $0.evaluations > 0 }.map { $0.rate * 100 }
        let highest: Double = rates.max() ?? 0
        // A rate of exactly 2 % is drawn on the 2 % scale, whatever the rounding of its division.
        let top: Double = scales.first(where: { $0 >= highest - 1e-9 }) ?? 100
        func x(_ date: Date) -> Int { left + Int(((date.timeIntervalSince1970 - start) / (end - start) * Double(plotWidth)).rounded()) }
        func y(_ counts: SideCounts) -> Int { pad + Int((Double(plotHeight - pad) * (1 - min(counts.rate * 100 / top, 1))).rounded()) }
        func line(_ side: (ReleaseSample) -> SideCounts) -> (points: String, dots: [[String: Any]]) {
            let shown = samples.filter { side($0).evaluations > 0 }
            let dots = shown.map { sample -> [String: Any] in
                ["cx": x(sample.at), "cy": y(side(sample)), "title": "\(clock(sample.at)) UTC: \(Self.side(side(sample)))"]
            }
            return (shown.map { "\(x($0.at)),\(y(side($0)))" }.joined(separator: " "), dots)
        }
        let new = line(\.new)
        let other = line(\.other)
        let steps = release.transitions.filter { [ReleaseTransition.Kind.started, .step, .resumed].contains($0.kind) }.map { transition -> [String: Any] in
            ["x": x(transition.at), "label": transition.kind == .resumed ? "resumed" : "step"]
        }
        let latest = samples[samples.count - 1]
        let summary = "\(samples.count) sample\(samples.count == 1 ? "" : "s") from \(clock(samples[0].at)) to \(clock(latest.at)) UTC, "
            + "error rates up to \(ReleaseFormat.number(top)) %. Latest, at \(ReleaseFormat.percent(latest.percent)): new “\(release.policy.variant)” "
            + "\(rate(latest.new)), other \(rate(latest.other))."
        return [
            "releaseHasSamples": true,
            "releaseChartWidth": left + plotWidth + 8, "releaseChartHeight": plotHeight + bottom, "releasePlotRight": left + plotWidth,
            "releasePlotBottom": plotHeight, "releaseAxisY": plotHeight + bottom - 4, "releaseLeft": left,
            "releaseNewPoints": new.points, "releaseNewDots": new.dots,
            "releaseOtherPoints": other.points, "releaseOtherDots": other.dots,
            "releaseStepLines": steps,
            // Labels at 0, half and the top of the scale (its baseline a little below the line, so that it is not cut off).
            "releaseYTicks": [(plotHeight, 0), (pad + (plotHeight - pad) / 2 + 4, top / 2), (pad + 4, top)].map { y, value -> [String: Any] in
                ["y": y, "label": ReleaseFormat.number(value) + " %"]
            },
            "releaseXTicks": [
                ["x": left, "label": clock(Date(timeIntervalSince1970: start)), "anchor": "start"],
                ["x": left + plotWidth, "label": clock(Date(timeIntervalSince1970: end)), "anchor": "end"],
            ] as [[String: Any]],
            "releaseChartSummary": summary,
            "releaseSamples": samples.reversed().map { sample -> [String: Any] in
                [
                    "at": clock(sample.at), "step": sample.step, "percent": ReleaseFormat.percent(sample.percent),
                    "new": Self.side(sample.new), "other": Self.side(sample.other),
                ]
            },
        ]
    }

    /// `14:05:30`: a time of day in UTC.
    static func clock(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ n: Int64) -> String { (n < 10 ? "0" : "") + "\(n)" }
        return "\(two(day / 3_600)):\(two(day % 3_600 / 60)):\(two(day % 60))"
    }
}
