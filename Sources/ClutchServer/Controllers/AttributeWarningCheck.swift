import ClutchAPI
import ClutchCore
import ClutchStore

extension ServerServices {
    /// `record` (a flag just written, or a dry run's result) with ``FlagRecord/warnings`` for the
    /// attribute names the change from `before` (`nil`: the flag did not exist) uses in
    /// `environments` (every environment when `nil`) that no context there has carried.
    /// Which names count is ``AttributeWarnings/names(before:after:environments:)``'s to say
    /// (the one rule); which were seen, ``AttributeWarnings/check(used:seen:environment:)``'s.
    func withAttributeWarnings(_ record: FlagRecord, before: Flag?, environments: [String]? = nil) async -> FlagRecord {
        var record = record
        let warnings = await attributeWarnings(before: before, after: record.flag, environments: environments)
        record.warnings = warnings.isEmpty ? nil : warnings
        return record
    }

    /// The warnings for a change of one flag from `before` to `after` (see ``withAttributeWarnings(_:before:environments:)``).
    func attributeWarnings(before: Flag?, after: Flag, environments: [String]? = nil) async -> [AttributeWarning] {
        await attributeWarnings(AttributeWarnings.names(before: before, after: after, environments: environments))
    }

    /// The flag as it is before a change, for ``withAttributeWarnings(_:before:environments:)``:
    /// `nil` when there is none (or it cannot be read: a warning is advice, never a failure).
    func flagBeforeChange(_ key: String) async -> Flag? {
        try? await store.flag(key).flag
    }

    /// The warnings for `used` (environment and the attributes a change uses there). The names
    /// this server collected and has not written yet count: they are written first. A warning is
    /// advice on a change, so a failure to read the seen names leaves the answer without warnings
    /// rather than failing it.
    func attributeWarnings(_ used: [(environment: String, attributes: [String])]) async -> [AttributeWarning] {
        let used = used.filter { !$0.attributes.isEmpty }
        guard !used.isEmpty else { return [] }
        await attributes.flush()
        var warnings: [AttributeWarning] = []
        for (environment, names) in used {
            do {
                let seen = try await store.seenAttributes(environment: environment).attributes.map(\.name)
                warnings += AttributeWarnings.check(used: names, seen: seen, environment: environment)
            } catch {
                logger.warning("reading the attribute names seen failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
            }
        }
        return warnings
    }

    /// The warnings for `instructions` to be applied to flag `key` in `environment` later (a
    /// schedule, a change request): as the change would warn applied to the flag as it is now.
    /// Instructions that would not apply now warn about nothing (they are refused when applied).
    func attributeWarnings(applying instructions: [Instruction], flag key: String, environment: String) async -> [AttributeWarning]? {
        guard let before = await flagBeforeChange(key),
            let after = try? before.applying(instructions, environment: environment, newRuleID: { "pending" })
        else { return nil }
        let warnings = await attributeWarnings(before: before, after: after, environments: [environment])
        return warnings.isEmpty ? nil : warnings
    }
}
