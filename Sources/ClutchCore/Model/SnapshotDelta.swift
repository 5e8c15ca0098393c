/// The flags and cohorts one change of an environment touched, as they are after it: what the
/// server reads after a commit and what a stream event carries to SDKs. Applying it to the
/// snapshot before the change gives the snapshot after it.
public struct SnapshotDelta: Sendable, Hashable {
    /// The snapshot version after the change.
    public var version: Int64
    /// Flag key → the flag with this environment's state, or `nil` when it is gone (deleted or archived).
    public var flags: [String: Flag?]
    /// Cohort key → the cohort, or `nil` when it is gone.
    public var cohorts: [String: Cohort?]
    /// Cohort key → members added and removed, for a cohort whose definition is otherwise
    /// unchanged (one named in `cohorts` as well is replaced whole instead).
    public var members: [String: MemberChange]

    public init(
        version: Int64, flags: [String: Flag?] = [:], cohorts: [String: Cohort?] = [:], members: [String: MemberChange] = [:]
    ) {
        self.version = version
        self.flags = flags
        self.cohorts = cohorts
        self.members = members
    }

    /// Whether the delta changes nothing but the version.
    public var isEmpty: Bool { flags.isEmpty && cohorts.isEmpty && members.isEmpty }

    /// The cohorts whose evaluation may change: replaced, removed or with members changed.
    public var changedCohorts: Set<String> { Set(cohorts.keys).union(members.keys) }
}

extension Snapshot {
    /// The flag `key`, if the snapshot has it.
    public func flag(_ key: String) -> Flag? {
        Self.position(of: key, in: flags, keyOf: \.key).map { flags[$0] }
    }

    /// The cohort `key`, if the snapshot has it.
    public func cohort(_ key: String) -> Cohort? {
        Self.position(of: key, in: cohorts, keyOf: \.key).map { cohorts[$0] }
    }

    /// This snapshot with `delta` applied: flags and cohorts replaced, added (in key order, as the
    /// store sorts them) or removed, members added and removed (in ``MemberOrder``), and the
    /// delta's version.
    public func applying(_ delta: SnapshotDelta) -> Snapshot {
        var next = self
        next.version = delta.version
        next.flags = Self.applying(delta.flags, to: flags, keyOf: \.key)
        next.cohorts = Self.applying(delta.cohorts, to: cohorts, keyOf: \.key)
        for (key, change) in delta.members where delta.cohorts[key] == nil {
            guard let index = Self.position(of: key, in: next.cohorts, keyOf: \.key) else { continue }
            next.cohorts[index].members = MemberOrder.applying(change, to: next.cohorts[index].members)
        }
        return next
    }

    /// `items` with `changes` (key → new item, or `nil` to remove) applied. A few changes are
    /// made in place by binary search; many (an import of thousands of flags) in one merge pass
    /// over the sorted items, so that m changes to n items cost n + m log m rather than n × m.
    private static func applying<T>(_ changes: [String: T?], to items: [T], keyOf: KeyPath<T, String>) -> [T] {
        let keys = changes.keys.sorted()
        let sorted = keys.count > 16 && zip(items, items.dropFirst()).allSatisfy { $0[keyPath: keyOf] < $1[keyPath: keyOf] }
        guard sorted else {
            var out = items
            for key in keys { replace(&out, key: key, with: changes[key] ?? nil, keyOf: keyOf) }
            return out
        }
        var out: [T] = []
        out.reserveCapacity(items.count + keys.count)
        var index = items.startIndex
        for key in keys {
            while index < items.endIndex, items[index][keyPath: keyOf] < key {
                out.append(items[index])
                index += 1
            }
            if index < items.endIndex, items[index][keyPath: keyOf] == key { index += 1 }
            if let new = changes[key] ?? nil { out.append(new) }
        }
        out.append(contentsOf: items[index...])
        return out
    }

    private static func replace<T>(_ items: inout [T], key: String, with new: T?, keyOf: KeyPath<T, String>) {
        if let index = position(of: key, in: items, keyOf: keyOf) {
            if let new { items[index] = new } else { items.remove(at: index) }
        } else if let new {
            items.insert(new, at: insertionPoint(of: key, in: items, keyOf: keyOf))
        }
    }

    /// Where `key` is: by binary search, as the store keeps keys sorted; by a scan otherwise
    /// (a snapshot put together by hand).
    private static func position<T>(of key: String, in items: [T], keyOf: KeyPath<T, String>) -> Int? {
        let index = insertionPoint(of: key, in: items, keyOf: keyOf)
        if index < items.count, items[index][keyPath: keyOf] == key { return index }
        return items.indices.first { items[$0][keyPath: keyOf] == key }
    }

    /// The first position whose key is not below `key`, assuming sorted keys.
    private static func insertionPoint<T>(of key: String, in items: [T], keyOf: KeyPath<T, String>) -> Int {
        var low = 0
        var high = items.count
        while low < high {
            let middle = (low + high) / 2
            if items[middle][keyPath: keyOf] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
