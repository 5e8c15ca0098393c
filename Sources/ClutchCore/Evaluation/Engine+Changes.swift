extension Engine {
    /// The flags that may evaluate differently in `next` (this engine with `delta` applied) than
    /// here: those the delta names, those whose rules name a cohort it changed (in either
    /// engine), and those requiring any of these as a prerequisite, directly or through others.
    /// What a per-context answer must be evaluated again for; every other flag answers as before.
    public func flagsAffected(by delta: SnapshotDelta, next: Engine) -> Set<String> {
        var changed = Set(delta.flags.keys)
        for key in delta.changedCohorts {
            changed.formUnion(flags(usingCohort: key))
            changed.formUnion(next.flags(usingCohort: key))
        }
        // A prerequisite that changed changes what its dependents serve, before and after the delta.
        return changed.union(dependents(of: changed)).union(next.dependents(of: changed))
    }
}
