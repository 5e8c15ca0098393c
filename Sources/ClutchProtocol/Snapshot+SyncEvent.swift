import ClutchCore

extension SyncEvent {
    /// The events that turn `old` into `new` (two snapshots of one environment), in the order
    /// a server sends them: cohorts first (a flag event may name a cohort that arrives in the
    /// same change), then flags, then deletions. `old.applying(events(from: old, to: new))`
    /// equals `new`.
    public static func events(from old: Snapshot, to new: Snapshot) -> [SyncEvent] {
        let version = new.version
        var events: [SyncEvent] = []
        let oldCohorts = Dictionary(old.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newCohorts = Dictionary(new.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for cohort in new.cohorts where oldCohorts[cohort.key] != cohort {
            events.append(.cohort(version: version, cohort))
        }
        let oldFlags = Dictionary(old.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newFlags = Dictionary(new.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for flag in new.flags where oldFlags[flag.key] != flag {
            events.append(.flag(version: version, flag))
        }
        for key in oldFlags.keys.sorted() where newFlags[key] == nil {
            events.append(.flagDeleted(version: version, key: key))
        }
        for key in oldCohorts.keys.sorted() where newCohorts[key] == nil {
            events.append(.cohortDeleted(version: version, key: key))
        }
        return events
    }

    /// The change as a delta of the snapshot at version `current`; `nil` for a whole snapshot,
    /// and an empty delta for a change older than `current` (a replay after reconnecting).
    /// One change of several flags or cohorts arrives as several events of the same version:
    /// each is applied (applying one twice changes nothing).
    public func delta(after current: Int64) -> SnapshotDelta? {
        switch self {
        case .snapshot:
            return nil
        case .flag(let version, let flag):
            return version >= current ? SnapshotDelta(version: version, flags: [flag.key: flag]) : SnapshotDelta(version: current)
        case .flagDeleted(let version, let key):
            return version >= current ? SnapshotDelta(version: version, flags: [key: Flag?.none]) : SnapshotDelta(version: current)
        case .cohort(let version, let cohort):
            return version >= current ? SnapshotDelta(version: version, cohorts: [cohort.key: cohort]) : SnapshotDelta(version: current)
        case .cohortDeleted(let version, let key):
            return version >= current ? SnapshotDelta(version: version, cohorts: [key: Cohort?.none]) : SnapshotDelta(version: current)
        case .cohortMembers(let version, let key, let change):
            // Applying it twice (a replay of the same version) changes nothing more.
            return version >= current ? SnapshotDelta(version: version, members: [key: change]) : SnapshotDelta(version: current)
        }
    }
}

extension Snapshot {
    /// The snapshot after `event`. Only whole snapshots replace; a flag or cohort change
    /// older than this snapshot (a replay after reconnecting) changes nothing.
    public func applying(_ event: SyncEvent) -> Snapshot {
        if case .snapshot(let snapshot) = event { return snapshot }
        guard let delta = event.delta(after: version), !delta.isEmpty else { return self }
        return applying(delta)
    }

    /// The snapshot after `events`, in order.
    public func applying(_ events: [SyncEvent]) -> Snapshot {
        events.reduce(self) { $0.applying($1) }
    }

    /// The keys of flags that may evaluate differently in this snapshot than in `old`:
    /// flags added, removed or changed, flags whose rules name a changed cohort, and the flags
    /// that require any of those as a prerequisite (directly or through others).
    public func changedFlagKeys(since old: Snapshot?) -> Set<String> {
        guard let old else { return Set(flags.map(\.key)) }
        let before = Dictionary(old.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        var changed = Set<String>()
        for (key, flag) in after where before[key] != flag { changed.insert(key) }
        for key in before.keys where after[key] == nil { changed.insert(key) }

        let cohortsBefore = Dictionary(old.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let cohortsAfter = Dictionary(cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        var changedCohorts = Set<String>()
        for (key, cohort) in cohortsAfter where cohortsBefore[key] != cohort { changedCohorts.insert(key) }
        for key in cohortsBefore.keys where cohortsAfter[key] == nil { changedCohorts.insert(key) }
        if !changedCohorts.isEmpty {
            for flag in flags where flag.namesCohort(in: changedCohorts, environment: environment) {
                changed.insert(flag.key)
            }
        }
        return changed.union(dependents(of: changed))
    }

    /// The flags that require one of `keys` as a prerequisite in this environment, directly or
    /// through other flags.
    func dependents(of keys: Set<String>) -> Set<String> {
        var requiredBy: [String: [String]] = [:]
        for flag in flags {
            for prerequisite in flag.state(in: environment).prerequisites { requiredBy[prerequisite.flag, default: []].append(flag.key) }
        }
        guard !requiredBy.isEmpty else { return [] }
        var found = Set<String>()
        var pending = Array(keys)
        while let key = pending.popLast() {
            for dependent in requiredBy[key] ?? [] where found.insert(dependent).inserted { pending.append(dependent) }
        }
        return found
    }

    /// The ETag `/sdk/v1/flags` gives this snapshot, for `If-None-Match`.
    public var entityTag: String { EntityTag.snapshot(environment: environment, version: version) }
}

extension Flag {
    func namesCohort(in cohorts: Set<String>, environment: String) -> Bool {
        state(in: environment).rules.contains { rule in
            rule.clauses.contains { clause in clause.cohort.map(cohorts.contains) ?? false }
        }
    }
}
