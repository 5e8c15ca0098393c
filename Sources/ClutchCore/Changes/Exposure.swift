/// What a change to a flag does to what one environment serves, for governance: in a protected
/// or blocked environment a change that may give someone something new waits (for review, or
/// for the block to end), while one that can only take a feature away applies at once — the kill
/// switch never waits.
///
/// The rule is deliberately coarse and errs towards `widens`: telling a narrowing rule edit from
/// a widening one would mean comparing every context's answer, and a wrong "narrows" would let
/// an unreviewed change through. So "only takes away" means exactly what the talks ask to be
/// instant: turning off, `kill`, and rolling back to a revision in which the flag was off.
public enum ExposureChange: Sendable, Hashable {
    /// The environment serves exactly what it served before: the change touched another
    /// environment, or only the flag's description, tags, kind or owner.
    case unchanged
    /// The flag ends off in the environment (or is created off there), serving the same off
    /// variant with the same value as before: everyone gets, at most, what the flag gives when off.
    case turnsOff
    /// Anything else: the change may give someone a variant they did not get before.
    case widens

    /// Whether the change may apply without review and through a block.
    public var onlyTakesAway: Bool { self != .widens }
}

extension Flag {
    /// What changing the flag from `before` to `after` (`nil`: absent — created or deleted)
    /// does to what `environment` serves. Deleting or archiving a flag `widens`: its callers fall
    /// back to the defaults in their code, which nobody here has reviewed.
    public static func exposureChange(from before: Flag?, to after: Flag?, in environment: String) -> ExposureChange {
        guard let after else { return before == nil ? .unchanged : .widens }
        let state = after.state(in: environment)
        if let before {
            if before.archived != after.archived { return after.archived ? .widens : (state.enabled ? .widens : .turnsOff) }
            let sameOffAnswer = before.offVariant == after.offVariant
                && before.variant(before.offVariant)?.value == after.variant(after.offVariant)?.value
            if !state.enabled && sameOffAnswer { return before.state(in: environment).enabled ? .turnsOff : .unchanged }
            let same = before.state(in: environment) == state && before.variants == after.variants && sameOffAnswer
            return same ? .unchanged : .widens
        }
        return state.enabled || after.archived ? .widens : .turnsOff
    }
}
