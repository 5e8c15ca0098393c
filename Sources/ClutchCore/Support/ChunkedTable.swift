/// A hash table keyed by strings, like ``StringTable`` (same seeded hash, linear probing),
/// whose entries live in shared chunks of 64, so that the next version of a large table
/// (an engine's 10,000 flags after one changed) copies one reference per chunk and the chunk
/// that changed, not one entry per key. The engine's tables are replaced on every change and
/// read on every evaluation; a lookup costs one more pointer hop than ``StringTable``.
public struct ChunkedTable<Element: Sendable>: Sendable {
    private struct Entry: Sendable {
        let key: String
        let hash: UInt32
        let element: Element
    }

    private final class Chunk: Sendable {
        let entries: [Entry]
        init(_ entries: [Entry]) { self.entries = entries }
    }

    private static var shift: Int { 6 }
    private static var chunkSize: Int { 1 << shift }

    private let chunks: [Chunk]
    /// Position (chunk << 6 | offset), or -1 for an empty slot.
    private let slots: [Int32]
    private let mask: Int
    /// How many keys the table holds.
    public let count: Int

    /// Builds the table; for duplicate keys the first element wins.
    public init(_ pairs: [(String, Element)]) {
        var seen = Set<String>()
        var entries: [Entry] = []
        entries.reserveCapacity(pairs.count)
        for (key, element) in pairs where seen.insert(key).inserted {
            entries.append(Entry(key: key, hash: StringTable<Element>.hash(key), element: element))
        }
        self.init(entries: entries)
    }

    private init(entries: [Entry]) {
        var chunks: [Chunk] = []
        chunks.reserveCapacity(entries.count / Self.chunkSize + 1)
        var start = 0
        while start < entries.count {
            let end = min(start + Self.chunkSize, entries.count)
            chunks.append(Chunk(Array(entries[start..<end])))
            start = end
        }
        self.init(chunks: chunks, count: entries.count)
    }

    private init(chunks: [Chunk], count: Int) {
        var capacity = 16
        while capacity < count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        for (c, chunk) in chunks.enumerated() {
            for (offset, entry) in chunk.entries.enumerated() {
                var slot = Int(entry.hash) & (capacity - 1)
                while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
                slots[slot] = Int32(c << Self.shift | offset)
            }
        }
        self.init(chunks: chunks, slots: slots, mask: capacity - 1, count: count)
    }

    private init(chunks: [Chunk], slots: [Int32], mask: Int, count: Int) {
        self.chunks = chunks
        self.slots = slots
        self.mask = mask
        self.count = count
    }

    /// This table with `changes` applied: a key with an element is set (added or replaced), a
    /// key with `nil` removed. Replacing elements copies only the chunks they are in and keeps
    /// the slots; adding keys appends to the last chunk and rebuilds the slots (hashes are
    /// stored, nothing is hashed again); removing keys rebuilds the table.
    public func updating(_ changes: [(String, Element?)]) -> ChunkedTable {
        guard !changes.isEmpty else { return self }
        var replaced: [Int: [Int: Entry]] = [:]  // chunk → offset → entry
        var added: [String: Entry] = [:]
        var addedOrder: [String] = []
        var removed = Set<Int>()
        for (key, element) in changes {
            if let position = index(of: key) {
                if let element {
                    let old = self[entryAt: position]
                    replaced[position >> Self.shift, default: [:]][position & (Self.chunkSize - 1)] =
                        Entry(key: key, hash: old.hash, element: element)
                    removed.remove(position)
                } else {
                    removed.insert(position)
                }
            } else if let element {
                if added[key] == nil { addedOrder.append(key) }
                added[key] = Entry(key: key, hash: StringTable<Element>.hash(key), element: element)
            } else if added[key] != nil {
                added[key] = nil
                addedOrder.removeAll { $0 == key }
            }
        }
        if !removed.isEmpty {
            var entries: [Entry] = []
            entries.reserveCapacity(count + added.count)
            for (c, chunk) in chunks.enumerated() {
                for (offset, entry) in chunk.entries.enumerated() where !removed.contains(c << Self.shift | offset) {
                    entries.append(replaced[c]?[offset] ?? entry)
                }
            }
            entries += addedOrder.compactMap { added[$0] }
            return ChunkedTable(entries: entries)
        }
        var chunks = self.chunks
        for (c, offsets) in replaced {
            var entries = chunks[c].entries
            for (offset, entry) in offsets { entries[offset] = entry }
            chunks[c] = Chunk(entries)
        }
        guard !addedOrder.isEmpty else { return ChunkedTable(chunks: chunks, slots: slots, mask: mask, count: count) }
        var tail = chunks.last.map { $0.entries.count < Self.chunkSize ? chunks.removeLast().entries : [] } ?? []
        for key in addedOrder {
            guard let entry = added[key] else { continue }
            if tail.count == Self.chunkSize {
                chunks.append(Chunk(tail))
                tail = []
            }
            tail.append(entry)
        }
        if !tail.isEmpty { chunks.append(Chunk(tail)) }
        return ChunkedTable(chunks: chunks, count: count + addedOrder.count)
    }

    public var isEmpty: Bool { count == 0 }

    /// Every element, in table order.
    public var elements: [Element] {
        chunks.flatMap { $0.entries.map(\.element) }
    }

    @inline(__always)
    private subscript(entryAt position: Int) -> Entry {
        chunks[position >> Self.shift].entries[position & (Self.chunkSize - 1)]
    }

    /// The element stored for `key`.
    @inline(__always)
    public subscript(key: String) -> Element? {
        guard let position = index(of: key) else { return nil }
        return self[entryAt: position].element
    }

    /// The element at a position ``index(of:)`` returned.
    @inline(__always)
    public subscript(position position: Int) -> Element { self[entryAt: position].element }

    /// The position of `key`'s element, if it is stored.
    @inline(__always)
    public func index(of key: String) -> Int? {
        let hash = StringTable<Element>.hash(key)
        var slot = Int(hash) & mask
        while true {
            let position = Int(slots[slot])
            if position < 0 { return nil }
            let chunk = chunks[position >> Self.shift]
            let offset = position & (Self.chunkSize - 1)
            if chunk.entries[offset].hash == hash, chunk.entries[offset].key == key { return position }
            slot = (slot + 1) & mask
        }
    }
}
