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
        try await checkProtection(session, key: key, widening: widening, change: change)
    }
}
