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
    /// A member compared and hashed by its UTF-8 bytes.
    struct Key: Hashable {
        let bytes: [UInt8]
        init(_ member: String) { bytes = Array(member.utf8) }
    }

    /// Whether `a` sorts before `b`.
    @inline(__always)
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Whether `a` and `b` are the same bytes.
    @inline(__always)
    public static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
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
        var sorted = members.sorted(by: precedes)
        var write = 0
        for read in sorted.indices where write == 0 || !same(sorted[write - 1], sorted[read]) {
            sorted.swapAt(write, read)
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    /// `members` (sorted by bytes) with `change` applied, in one merge pass: O(members + change).
    /// Members that are not sorted are filtered and appended instead (a snapshot put together
    /// by hand); both give the same set.
    public static func applying(_ change: MemberChange, to members: [String]) -> [String] {
        guard isSorted(members) else {
            let removed = Set(change.removed.map(Key.init))
            var present = Set(members.map(Key.init))
            var next = members.filter { !removed.contains(Key($0)) }
            for member in change.added where !removed.contains(Key(member)) && present.insert(Key(member)).inserted {
                next.append(member)
            }
            return next
        }
        let added = sorted(change.added)
        let removed = sorted(change.removed)
        var next: [String] = []
        next.reserveCapacity(members.count + added.count)
        var a = 0, r = 0
        func isRemoved(_ member: String) -> Bool {
            while r < removed.count, precedes(removed[r], member) { r += 1 }
            return r < removed.count && same(removed[r], member)
        }
        for member in members {
            while a < added.count, precedes(added[a], member) {
                if !isRemoved(added[a]) { next.append(added[a]) }
                a += 1
            }
            if a < added.count, same(added[a], member) { a += 1 }
            if !isRemoved(member) { next.append(member) }
        }
        while a < added.count {
            if !isRemoved(added[a]) { next.append(added[a]) }
            a += 1
        }
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
