/// Members added to and removed from one cohort by one change: how a membership edit is
/// stored, streamed and applied, so that its cost follows the members it names, never the
/// size of the cohort.
public struct MemberChange: Sendable, Hashable, Codable {
    /// Members that were not in the cohort before the change and are after it.
    public var added: [String]
    /// Members that were in the cohort before the change and are not after it.
    public var removed: [String]

    public init(added: [String] = [], removed: [String] = []) {
        self.added = added
        self.removed = removed
    }

    enum CodingKeys: String, CodingKey { case added, removed }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        added = try c.decodeIfPresent([String].self, forKey: .added) ?? []
        removed = try c.decodeIfPresent([String].self, forKey: .removed) ?? []
    }

    /// Whether the change adds and removes nothing.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty }
}

/// The order of a cohort's members: by UTF-8 bytes, as the store sorts them (SQLite's
/// `BINARY` collation), and equality by bytes, so that two spellings of one text that Swift
/// calls equal (NFC and NFD) stay two members, as they are in the store.
public enum MemberOrder {
    /// Whether `a` sorts before `b`.
    @inline(__always)
    public static func precedes(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// Whether `a` and `b` are the same bytes.
    @inline(__always)
    public static func same(_ a: String, _ b: String) -> Bool {
        compare(a, b) == 0
    }

    /// Negative, zero or positive as `a`'s UTF-8 bytes sort before, equal or after `b`'s: a
    /// plain byte loop over contiguous storage (`String.UTF8View`'s generic comparison is an
    /// order of magnitude slower, and a million-member cohort compares a lot).
    @inline(__always)
    static func compare(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let count = Swift.min(x.count, y.count)
                var i = 0
                while i < count {
                    if x[i] != y[i] { return Int(x[i]) - Int(y[i]) }
                    i += 1
                }
                return x.count - y.count
            }
        }
    }

    /// Whether `members` is sorted by bytes without repeats.
    public static func isSorted(_ members: [String]) -> Bool {
        var index = 1
        while index < members.count {
            if !precedes(members[index - 1], members[index]) { return false }
            index += 1
        }
        return true
    }

    /// `members` sorted by bytes, repeats dropped.
    public static func sorted(_ members: [String]) -> [String] {
        if isSorted(members) { return members }
        var sorted = members.sorted(by: precedes)
        var write = 0
        for read in sorted.indices where write == 0 || !same(sorted[write - 1], sorted[read]) {
            sorted.swapAt(write, read)
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    /// The first position in sorted `members` whose member does not sort before `member`.
    static func lowerBound(of member: String, in members: [String], from start: Int) -> Int {
        var low = start, high = members.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(members[middle], member) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `members` (sorted by bytes, as the store and ``Snapshot`` keep them) with `change` applied.
    /// Each added or removed member is placed by binary search and the runs between them are
    /// copied whole, so a change of k members to a cohort of n costs O(k log n) comparisons
    /// plus one copy of the array. A member both added and removed ends up removed.
    public static func applying(_ change: MemberChange, to members: [String]) -> [String] {
        let added = sorted(change.added)
        let removed = sorted(change.removed)
        var next: [String] = []
        next.reserveCapacity(members.count + added.count)
        var cursor = 0
        var a = 0, r = 0
        while a < added.count || r < removed.count {
            // Removals first among equals.
            let isRemoval = a == added.count || (r < removed.count && !precedes(added[a], removed[r]))
            let member = isRemoval ? removed[r] : added[a]
            let position = lowerBound(of: member, in: members, from: cursor)
            next.append(contentsOf: members[cursor..<position])
            cursor = position
            let present = position < members.count && same(members[position], member)
            if isRemoval {
                if present { cursor = position + 1 }
                r += 1
            } else {
                if !present && !(r > 0 && same(removed[r - 1], member)) { next.append(member) }
                a += 1
            }
        }
        next.append(contentsOf: members[cursor...])
        return next
    }

    /// The change that turns `old` into `new` (both as ``sorted(_:)`` gives them), in one pass.
    public static func difference(from old: [String], to new: [String]) -> MemberChange {
        var change = MemberChange()
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && precedes(old[i], new[j])) {
                change.removed.append(old[i])
                i += 1
            } else if i == old.count || precedes(new[j], old[i]) {
                change.added.append(new[j])
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return change
    }
}
