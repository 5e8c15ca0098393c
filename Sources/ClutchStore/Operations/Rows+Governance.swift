import ClutchCore

extension Rows {
    /// The one gate every flag write passes, inside the write's transaction (``commitFlag``), so
    /// that no path — API, console, CLI, scheduler, release runner, rollback, import — goes around
    /// it, and a refusal rolls the whole write back. A change that only takes exposure away
    /// (``ExposureChange/onlyTakesAway``) always passes: the kill switch never waits.
    ///
    /// Each rule of governance adds its check below, given the environments where the change
    /// widens exposure: a protected environment requires review unless `change.clearance` says
    /// the change was reviewed; a block refuses it whatever the clearance.
    static func checkGovernance(_ session: any SQLSession, key: String, plan: FlagChangePlan, change: ChangeInfo) async throws {
        let widening = plan.affected.filter { Flag.exposureChange(from: plan.old, to: plan.new, in: $0) == .widens }
        guard !widening.isEmpty else { return }
        try await checkBlocks(session, key: key, widening: widening, change: change)
        try await checkProtection(session, subject: "a change to '\(key)'", widening: widening, change: change)
    }

    /// The same gate for a change to who is a member of cohort `key` in `environment` (its
    /// members, its clauses or its attribute), inside the write's transaction: such a change
    /// changes what every flag naming the cohort in a rule serves there, so it is governed as a
    /// change to each of them. Adding a member gives them what the rule serves; removing one
    /// lets them fall through to the rules below, which may serve them something new — so, as
    /// for a flag (only ending off takes away), any membership change of a cohort that a flag
    /// on in the environment names widens. A cohort no such flag names serves nobody anything:
    /// it passes, as does everything where neither protection nor a block holds (checked first,
    /// so an ungoverned environment reads no flags).
    static func checkCohortGovernance(_ session: any SQLSession, environment: String, cohort key: String, change: ChangeInfo) async throws {
        let protected = try await protection(session, of: environment) != nil
        let blocks = try await holdingBlocks(session, environments: [environment], flag: nil, now: session.now)
        guard protected || (!blocks.isEmpty && change.clearance != .undoesRelease) else { return }
        let users = try await allFlags(session).filter { record in
            let state = record.flag.state(in: environment)
            return !record.flag.archived && state.enabled && state.rules.contains { $0.clauses.contains { $0.cohort == key } }
        }.map(\.flag.key)
        guard !users.isEmpty else { return }
        for flag in users { try await checkBlocks(session, key: flag, widening: [environment], change: change) }
        let named = users.map { "'\($0)'" }.joined(separator: ", ")
        try await checkProtection(
            session, subject: "a change to the members of cohort '\(key)' (used by \(named))", widening: [environment], change: change)
    }
}
