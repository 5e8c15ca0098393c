import Foundation

/// The web console's sign-ins in the audit log. Not a change to a flag: written in an
/// ``SQLStore/unlocked(_:)`` transaction, so that sign-ins (and an attacker's failed ones) never
/// wait for, or hold up, the write lock.
extension SQLStore {
    /// Audits a console sign-in (`sign-in`) or a refused one (`sign-in-failed`) of `actor` (the
    /// email given, or the token's name) from the client address `address`, the `console` entity's
    /// key; `detail` says how, or why it was refused, as the event's message.
    public func auditSignIn(actor: String, address: String, succeeded: Bool, detail: String) async throws {
        let now = self.now()
        try await unlocked { session -> Void in
            try await Rows.audit(
                session, at: now, change: ChangeInfo(actor: actor, message: detail), action: succeeded ? "sign-in" : "sign-in-failed",
                entity: "console", key: address, environment: nil, revision: nil)
        }
    }
}
