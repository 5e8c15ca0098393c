import ClutchCore
import Foundation

/// What release transitions say (their messages, reasons and webhook data), worked out without
/// a database: both stores describe a release the same way from here.
enum ReleaseText {
    static func started(_ policy: ReleasePolicy, replacing baseline: ReleaseBaseline, change: ChangeInfo) -> String {
        "release of '\(policy.variant)' started at \(ReleaseFormat.percent(policy.percent(at: 0))) by \(policy.bucketBy) "
            + "(was \(baseline.text)); steps "
            + policy.steps.map(ReleaseFormat.number).joined(separator: ", ") + " %, \(ReleaseDuration.text(policy.stepDuration)) each, "
            + "at least \(policy.minSamples) evaluations a side, rolls back above \(ReleaseFormat.number(policy.maxErrorRatio))× the errors"
            + suffix(change)
    }

    /// The policy a release of `record`'s flag runs in `environment` and what it replaces
    /// (``ReleaseStart``), or the store's refusal: 400 for a bad `restartFrom`, 409 naming what
    /// the flag serves (field `restartFrom`) when the release cannot continue it.
    static func startPlan(
        _ policy: ReleasePolicy, record: FlagRecord, environment: String, restartFrom: Double?
    ) throws -> (policy: ReleasePolicy, baseline: ReleaseBaseline) {
        do {
            return try ReleaseStart.plan(policy, flag: record.flag, environment: environment, restartFrom: restartFrom)
        } catch .invalid(let issue) {
            throw StoreError.invalid(ValidationError([issue]))
        } catch .cannotContinue(let sentence) {
            throw StoreError.conflict(sentence, field: ReleaseStart.restartField)
        }
    }

    static func pauseReason(_ change: ChangeInfo) -> String { "paused by \(change.actor)" + suffix(change) }

    static func paused(_ release: Release, reason: String) -> String {
        "release of '\(release.policy.variant)' paused at \(ReleaseFormat.percent(release.percent)): \(reason)"
    }

    /// The reason of a running release a block holds at its step: `held: blocked by alice@example.com: payments incident`.
    static func held(by block: BlockRecord) -> String { "held: blocked \(block.byWhomAndWhy)" }

    static func resumed(_ release: Release, change: ChangeInfo) -> String {
        "release of '\(release.policy.variant)' resumed at \(ReleaseFormat.percent(release.percent)) by \(change.actor)" + suffix(change)
    }

    /// What aborting `release` to `target` does: its instructions (one revision), the variant's
    /// percentage afterwards and the sentence saying so. Only a release that recorded what it
    /// replaced can go back to it; older ones go to 0 % as they always did.
    static func abort(
        _ release: Release, to target: ReleaseAbortTarget, change: ChangeInfo
    ) -> (instructions: [Instruction], percent: Double, text: String) {
        let instructions: [Instruction]
        let percent: Double
        let back: String
        if target == .before, let baseline = release.replaced {
            // Off again if it was off; never on: someone may have turned it off since.
            instructions = [.setDefault(baseline.serve)] + (baseline.enabled ? [] : [.turnOff])
            percent = baseline.percent
            back = "back to \(baseline.text) as before the release"
        } else {
            instructions = [rollout(release, percent: 0)]
            percent = 0
            back = "back to 0 %"
        }
        let text = "release of '\(release.policy.variant)' aborted by \(change.actor) at \(ReleaseFormat.percent(release.percent)); "
            + "\(back); \(release.progress.figures(policy: release.policy))" + suffix(change)
        return (instructions, percent, text)
    }

    static func abortReason(_ change: ChangeInfo) -> String { "aborted by \(change.actor)" + suffix(change) }

    static func sampleRatioMismatch(_ release: Release) -> String {
        "sample ratio mismatch: \(release.progress.step.new.evaluations) of "
            + "\(release.progress.step.new.evaluations + release.progress.step.other.evaluations) rollout evaluations got "
            + "'\(release.policy.variant)', expected \(ReleaseFormat.percent(release.percent)); check the data, then resume"
    }

    /// Why the guard pauses rather than act on the data: the reporter and what it claimed.
    static func distrust(_ alert: ReleaseAlert) -> String {
        "\(alert.reason) (reporter '\(alert.reporter)')"
    }

    static func rolledBack(_ release: Release) -> String {
        "rolled back '\(release.policy.variant)' from \(ReleaseFormat.percent(release.percent)) to 0 %: the error rate is worse than "
            + "\(ReleaseFormat.number(release.policy.maxErrorRatio))× the other side's; \(release.progress.figures(policy: release.policy))"
    }

    /// The kind and message of moving `release` to step `index` (the last step completes it).
    static func advanced(_ release: Release, to index: Int, now: Date) -> (kind: ReleaseTransition.Kind, text: String) {
        let last = index == release.policy.steps.count - 1
        let text = (last ? "release of '\(release.policy.variant)' completed at 100 %"
            : "release of '\(release.policy.variant)' widened to \(ReleaseFormat.percent(release.policy.percent(at: index)))")
            + " after \(ReleaseDuration.text(now.timeIntervalSince(release.progress.stepStartedAt).rounded())) at "
            + "\(ReleaseFormat.percent(release.percent)); \(release.progress.figures(policy: release.policy))"
        return (last ? .completed : .step, text)
    }

    /// Who a step is recorded under: `clutch-guard for alice@example.com` when the release acts
    /// for its author (as a schedule is `clutch-scheduler for …`), `clutch-guard` for a release
    /// started before releases recorded one.
    static func stepActor(for author: String?) -> String {
        author.map { "\(Release.guardActor) for \($0)" } ?? Release.guardActor
    }

    /// Why a step was not taken: its author may no longer change the environment (`refusal`, the
    /// policy's sentence), and what resuming does.
    static func authorRefused(_ release: Release, to index: Int, _ refusal: String) -> String {
        let step = index == release.policy.steps.count - 1
            ? "not completed" : "not widened to \(ReleaseFormat.percent(release.policy.percent(at: index)))"
        return "\(step): \(refusal); whoever resumes it becomes its author"
    }

    /// Whether someone other than the release changed its flag in its environment since the release last did.
    enum HandChange: Equatable {
        case none
        /// The flag is gone or archived: the sentence saying so.
        case reason(String)
        /// Its state differs from what the release left: name the latest revision (``changedByHand(_:number:actor:message:)``).
        case changed
    }

    /// Compares the flag as stored (`record`, `nil` when deleted) with the state the release left (`expected`, JSON).
    static func handChange(_ release: Release, expected: String, record: FlagRecord?) -> HandChange {
        guard let record else { return .reason("flag '\(release.flag)' was deleted") }
        if record.flag.archived { return .reason("flag '\(release.flag)' was archived by \(record.updatedBy)") }
        let state = record.flag.state(in: release.environment)
        if let before = try? ClutchJSONDecoder().decode(FlagState.self, from: Array(expected.utf8)), before == state { return .none }
        return .changed
    }

    static func changedByHand(_ release: Release, number: Int64, actor: String, message: String?) -> String {
        "flag '\(release.flag)' was changed by hand in '\(release.environment)' by \(actor) (revision \(number)"
            + (message.map { ": \($0)" } ?? "") + ")"
    }

    /// The rollout instruction for `percent` % of the release's variant.
    static func rollout(_ release: Release, percent: Double) -> Instruction {
        .setRollout(percent: percent, variant: release.policy.variant, weights: nil, bucketBy: release.policy.bucketBy)
    }

    private static func suffix(_ change: ChangeInfo) -> String { change.message.map { ": \($0)" } ?? "" }
}

/// The data of a `release.step`, `release.rolled_back` or `release.paused` webhook event.
struct ReleaseEventData: Encodable {
    var release: Int64
    var flag: String
    var environment: String
    var variant: String
    var transition: String
    var state: String
    var percent: Double
    var actor: String
    var message: String
    var revision: Int64?
}

extension ReleaseTransition {
    /// The webhook event this transition of `release` queues: a step (the last one completes the
    /// release) is `release.step`, a rollback `release.rolled_back`, a pause by the guard
    /// `release.paused` (its message names the reason, and the reporter when one is distrusted); the other transitions are
    /// reported by the `flag.changed` of the change they make, if any.
    func webhookEvent(of release: Release) -> (type: WebhookEventType, data: ReleaseEventData)? {
        let type: WebhookEventType
        switch kind {
        case .step, .completed: type = .releaseStep
        case .rolledBack: type = .releaseRolledBack
        // The guard pausing (a hand change, a sample-ratio mismatch, a reporter it distrusts)
        // needs someone to look; a person pausing knows already.
        case .paused where actor == Release.guardActor: type = .releasePaused
        case .started, .paused, .resumed, .aborted: return nil
        }
        return (type, ReleaseEventData(
            release: release.id, flag: release.flag, environment: release.environment, variant: release.policy.variant,
            transition: kind.rawValue, state: release.state.rawValue, percent: release.percent,
            actor: actor, message: message, revision: revision))
    }
}
