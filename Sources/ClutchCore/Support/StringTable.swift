/// A read-only hash table keyed by strings, built once and looked up on every evaluation.
///
/// Swift's `Dictionary` hashes with per-process-seeded SipHash, which dominated evaluation
/// cost in profiles; this table hashes UTF-8 bytes with MurmurHash3 and probes linearly
/// (load factor ≤ 0.5). Tables of up to 4 keys are scanned.
/// Evaluation contexts are keyed by names a caller chooses (an OFREP body, with a public SDK
/// key), so the hash is seeded once per process with a random value: names crafted to collide
/// in one process do not collide in another. Contexts also have a bounded number of
/// attributes (``ContextLimits``), which bounds the damage of any collisions that remain.
///
/// Keys are compared by their UTF-8 bytes, like the hash: an NFC and an NFD spelling of one
/// text are two keys (Swift's `==` would call them equal), as they are in Go, JavaScript and
/// the store, so value lists (`in`, targets) match the bytes a context sends.
///
/// Key, hash and element sit together in one array, so a small table (every evaluation
/// context has one) is a single allocation and a lookup touches one run of memory.
struct StringTable<Element: Sendable>: Sendable {
    private struct Entry: Sendable {
        let key: String
        let hash: UInt32
        let element: Element
    }

    private let entries: [Entry]
    /// Index into `entries`, or -1 for an empty slot; empty for small tables.
    private let slots: [Int32]
    private let mask: Int

    /// Up to this many keys, a lookup compares strings directly: cheaper than hashing.
    private static var linearLimit: Int { 4 }

    /// Builds the table; for duplicate keys the first element wins. Duplicates are found
    /// while the slots are filled, with the table's own hash (no second, SipHash-keyed set).
    init(_ pairs: [(String, Element)]) {
        self.init(count: pairs.count) { pairs[$0] }
    }

    /// Builds the table from `count` pairs that `pair` gives by position.
    @inline(__always)
    private init(count: Int, _ pair: (Int) -> (String, Element)) {
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        if count <= Self.linearLimit {
            for i in 0..<count {
                let (key, element) = pair(i)
                if !entries.contains(where: { UTF8Bytes.equal($0.key, key) }) {
                    entries.append(Entry(key: key, hash: Self.hash(key), element: element))
                }
            }
            self.init(entries: entries, slots: [], mask: 0)
            return
        }
        let capacity = Self.capacity(for: count)
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        insert: for i in 0..<count {
            let (key, element) = pair(i)
            let hash = Self.hash(key)
            var slot = Int(hash) & mask
            while slots[slot] >= 0 {
                let other = entries[Int(slots[slot])]
                if other.hash == hash, UTF8Bytes.equal(other.key, key) { continue insert }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(entries.count)
            entries.append(Entry(key: key, hash: hash, element: element))
        }
        self.init(entries: entries, slots: slots, mask: mask)
    }

    /// Slots for `count` keys: a power of two, at least 16 and twice `count`.
    private static func capacity(for count: Int) -> Int {
        var capacity = 16
        while capacity < count * 2 { capacity *= 2 }
        return capacity
    }

    /// Builds the table from a dictionary, whose keys are unique already.
    init(_ dictionary: [String: Element]) {
        self.init(entries: dictionary.map { Entry(key: $0.key, hash: Self.hash($0.key), element: $0.value) })
    }

    private init(entries: [Entry]) {
        self.entries = entries
        if entries.count <= Self.linearLimit {
            slots = []
            mask = 0
            return
        }
        let capacity = Self.capacity(for: entries.count)
        var slots = [Int32](repeating: -1, count: capacity)
        for (index, entry) in entries.enumerated() {
            var slot = Int(entry.hash) & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(index)
        }
        self.slots = slots
        self.mask = capacity - 1
    }

    private init(entries: [Entry], slots: [Int32], mask: Int) {
        self.entries = entries
        self.slots = slots
        self.mask = mask
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The entries as a dictionary.
    var dictionary: [String: Element] {
        Dictionary(uniqueKeysWithValues: entries.lazy.map { ($0.key, $0.element) })
    }

    @inline(__always)
    static func hash(_ key: String) -> UInt32 {
        var key = key
        return key.withUTF8 { Murmur3.hash32(UnsafeRawBufferPointer($0), seed: tableSeed) }
    }

    /// The element stored for `key`.
    @inline(__always)
    subscript(key: String) -> Element? {
        guard let index = index(of: key) else { return nil }
        return entries[index].element
    }

    /// The element stored for `key`, whose ``hash(_:)`` the caller computed in advance.
    @inline(__always)
    subscript(key: String, hash hash: UInt32) -> Element? {
        guard let index = index(of: key, hash: hash) else { return nil }
        return entries[index].element
    }

    /// The key, its ``hash(_:)`` and the element at `index` (0 ..< ``count``), in the order they were built.
    func entry(at index: Int) -> (key: String, hash: UInt32, element: Element) {
        (entries[index].key, entries[index].hash, entries[index].element)
    }

    /// The element at a position ``index(of:)`` returned.
    @inline(__always)
    subscript(position index: Int) -> Element { entries[index].element }

    /// The position of `key`'s element, if it is stored. Callers that read one field of a
    /// struct element use this to copy that field alone rather than the whole element.
    @inline(__always)
    func index(of key: String) -> Int? {
        if slots.isEmpty {
            for i in 0..<entries.count where UTF8Bytes.equal(entries[i].key, key) { return i }
            return nil
        }
        return index(of: key, hash: Self.hash(key))
    }

    @inline(__always)
    func index(of key: String, hash: UInt32) -> Int? {
        if slots.isEmpty {
            for i in 0..<entries.count where entries[i].hash == hash && UTF8Bytes.equal(entries[i].key, key) { return i }
            return nil
        }
        var slot = Int(hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if entries[index].hash == hash, UTF8Bytes.equal(entries[index].key, key) { return index }
            slot = (slot + 1) & mask
        }
    }
}

extension StringTable where Element == Bool {
    /// A set of strings.
    init(set values: [String]) {
        self.init(count: values.count) { (values[$0], true) }
    }

    @inline(__always)
    func contains(_ key: String) -> Bool { self[key] != nil }
}

typealias StringSet = StringTable<Bool>

/// The seed of every ``StringTable`` hash in this process, drawn once at random. Hashes are
/// computed when rules are compiled and when tables are built, never stored or sent, so they
/// only need to agree within one process.
let tableSeed = UInt32.random(in: .min ... .max)
