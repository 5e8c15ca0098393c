/// Which flags of an engine name prerequisites, and which flags each flag is required by: what
/// `Engine.applying(_:)` must resolve again when flags come and go, and what may evaluate
/// differently when a flag changes (``Engine/dependents(of:)``).
struct PrerequisiteLinks: Sendable {
    /// The flags whose state names at least one prerequisite.
    private(set) var requirers: Set<String> = []
    /// Required flag → the flags that name it as a prerequisite.
    private(set) var dependents: [String: Set<String>] = [:]

    /// Records (or forgets, unless `adding`) the prerequisites that flag `key`, in `state`, names.
    mutating func track(_ key: String, _ state: FlagState, adding: Bool) {
        guard !state.prerequisites.isEmpty else { return }
        if adding { requirers.insert(key) } else { requirers.remove(key) }
        for prerequisite in state.prerequisites {
            if adding {
                dependents[prerequisite.flag, default: []].insert(key)
            } else {
                dependents[prerequisite.flag]?.remove(key)
                if dependents[prerequisite.flag]?.isEmpty == true { dependents[prerequisite.flag] = nil }
            }
        }
    }
}
