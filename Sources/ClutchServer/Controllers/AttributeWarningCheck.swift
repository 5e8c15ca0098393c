import ClutchAPI
import ClutchCore
import ClutchStore

extension ServerServices {
    /// `record` with ``FlagRecord/warnings`` for the attributes its state in each of
    /// `environments` uses that no context of that environment has carried (``AttributeWarnings``,
    /// the one rule). The names this server collected and has not written yet count: they are
    /// written first. A warning is advice on a change already made, so a failure to read the seen
    /// names leaves the answer without warnings rather than failing it.
    func withAttributeWarnings(_ record: FlagRecord, environments: [String]) async -> FlagRecord {
        var record = record
        let warnings = await attributeWarnings(environments.sorted().map { ($0, record.flag.state(in: $0).attributesUsed) })
        record.warnings = warnings.isEmpty ? nil : warnings
        return record
    }

    /// The warnings for `used` (environment and the attributes a change uses there).
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
}
