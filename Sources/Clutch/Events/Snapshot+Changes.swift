extension Snapshot {
    /// The snapshot after `event`. Only whole snapshots replace; a flag or cohort change
    /// older than this snapshot (a replay after reconnecting) changes nothing.
    func applying(_ event: SyncEvent) -> Snapshot {
        var next = self
        switch event {
        case .snapshot(let snapshot):
            return snapshot
        case .flag(let version, let flag):
            guard version > self.version else { return self }
            if let index = next.flags.firstIndex(where: { $0.key == flag.key }) {
                next.flags[index] = flag
            } else {
                next.flags.append(flag)
            }
            next.version = version
        case .flagDeleted(let version, let key):
            guard version > self.version else { return self }
            next.flags.removeAll { $0.key == key }
            next.version = version
        case .cohort(let version, let cohort):
            guard version > self.version else { return self }
            if let index = next.cohorts.firstIndex(where: { $0.key == cohort.key }) {
                next.cohorts[index] = cohort
            } else {
                next.cohorts.append(cohort)
            }
            next.version = version
        case .cohortDeleted(let version, let key):
            guard version > self.version else { return self }
            next.cohorts.removeAll { $0.key == key }
            next.version = version
        }
        return next
    }

    /// The keys of flags that may evaluate differently in this snapshot than in `old`:
    /// flags added, removed or changed, and flags whose rules name a changed cohort.
    func changedFlagKeys(since old: Snapshot?) -> Set<String> {
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
        return changed
    }

    /// The ETag `/sdk/v1/flags` gives this snapshot, for `If-None-Match`.
    var entityTag: String { "\"\(environment)-\(version)\"" }
}

extension Flag {
    func namesCohort(in cohorts: Set<String>, environment: String) -> Bool {
        state(in: environment).rules.contains { rule in
            rule.clauses.contains { clause in clause.cohort.map(cohorts.contains) ?? false }
        }
    }
}
