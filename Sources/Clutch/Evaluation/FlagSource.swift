/// What evaluations read: an engine built from the environment's snapshot (local mode) or
/// the server's answers for one context (device mode). Immutable; the client swaps the
/// whole source when data changes, so an evaluation sees one consistent version.
final class FlagSource: Sendable {
    private enum Kind: Sendable {
        case engine(Engine)
        case answers([String: EvaluationResult], metadata: [String: [String: Value]])
    }

    private let kind: Kind
    /// Metadata reported with every local evaluation.
    private let sourceMetadata: [String: Value]
    /// Usage counters for every variant this source can serve.
    let usage: UsageSlots

    convenience init(engine: Engine) {
        self.init(engine: engine, usage: UsageSlots(engine.snapshot.flags.map { ($0.key, $0.variants.map(\.key)) }))
    }

    private init(engine: Engine, usage: UsageSlots) {
        kind = .engine(engine)
        sourceMetadata = ["environment": .string(engine.environment), "snapshotVersion": .integer(engine.version)]
        self.usage = usage
    }

    /// The source after `delta`, in local mode: the engine recompiles only what the delta
    /// touched, and usage counters of untouched flags carry over. Also returns the flags that
    /// may now evaluate differently: ``Engine/flagsAffected(by:next:)``, the rule the server's
    /// client streams use too.
    func applying(_ delta: SnapshotDelta) -> (source: FlagSource, changed: Set<String>)? {
        guard case .engine(let engine) = kind else { return nil }
        let next = engine.applying(delta)
        let changed = engine.flagsAffected(by: delta, next: next)
        let slots = usage.updating(delta.flags.mapValues { flag in flag.map { $0.variants.map(\.key) } })
        return (FlagSource(engine: next, usage: slots), changed)
    }

    /// One context's answers (device mode); `reason` replaces the server's reasons
    /// (``Reason/cached`` for answers read from disk).
    init(answers response: OFREPBulkResponse, reason: Reason? = nil) {
        var metadata: [String: [String: Value]] = [:]
        for item in response.flags { if let m = item.metadata, !m.isEmpty { metadata[item.key] = m } }
        let results = response.results(reason: reason)
        kind = .answers(results, metadata: metadata)
        sourceMetadata = [:]
        usage = UsageSlots(results.compactMap { key, result in result.variant.map { (key, [$0]) } })
    }

    /// The snapshot evaluated, in local mode.
    var snapshot: Snapshot? {
        if case .engine(let engine) = kind { return engine.snapshot }
        return nil
    }

    /// Flag metadata for `key`.
    func metadata(for key: String) -> [String: Value] {
        switch kind {
        case .engine: return sourceMetadata
        case .answers(_, let metadata): return metadata[key] ?? [:]
        }
    }

    /// Evaluates `key` as `type`; another type gives `TYPE_MISMATCH`.
    @inline(__always)
    func evaluate(_ key: String, as type: FlagType, context: EvaluationContext) -> EvaluationResult {
        switch kind {
        case .engine(let engine):
            return engine.evaluate(key, as: type, context: context)
        case .answers(let results, _):
            guard let result = results[key] else {
                return .failure(key, .flagNotFound, "flag '\(key)' not found")
            }
            if result.errorCode == nil, let value = result.value, !type.acceptsRemote(value) {
                return .failure(key, .typeMismatch, "flag '\(key)' served a \(value.kindName), not a \(type.rawValue)", flagType: result.flagType)
            }
            return result
        }
    }

    /// Evaluates `key` whatever its type (to attribute an error to the variant served).
    func evaluateAnyType(_ key: String, context: EvaluationContext) -> EvaluationResult {
        switch kind {
        case .engine(let engine):
            return engine.evaluate(key, context: context)
        case .answers(let results, _):
            return results[key] ?? .failure(key, .flagNotFound, "flag '\(key)' not found")
        }
    }

    /// Whether the flag's default rollout decided `result` (`UsageCount.rollout`). OFREP answers
    /// do not say which part of the flag decided, so in device mode every `SPLIT` counts.
    @inline(__always)
    func decidedByRollout(_ result: EvaluationResult) -> Bool {
        switch kind {
        case .engine: result.decidedByDefaultRollout
        case .answers: result.reason == .split
        }
    }

}

extension FlagSource {
    /// Every answer, in device mode: to tell which flags a switch of person changed.
    var answers: [String: EvaluationResult]? {
        if case .answers(let results, _) = kind { return results }
        return nil
    }

    /// The flags whose answers differ between `old` and `new` (device mode).
    static func changedAnswers(from old: FlagSource?, to new: FlagSource?) -> Set<String> {
        let before = old?.answers ?? [:]
        let after = new?.answers ?? [:]
        var changed = Set<String>()
        for (key, result) in after where before[key] != result { changed.insert(key) }
        for key in before.keys where after[key] == nil { changed.insert(key) }
        return changed
    }
}

extension FlagType {
    /// Whether a value OFREP served fits this type. JSON does not keep `2.0` apart from `2`,
    /// so whole numbers fit both numeric types.
    func acceptsRemote(_ value: Value) -> Bool {
        switch (self, value) {
        case (.integer, .double(let d)): return d.rounded() == d && abs(d) < 9.0e15
        default: return accepts(value)
        }
    }
}
