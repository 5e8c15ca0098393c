/// A read-only hash table keyed by strings, built once and looked up on every evaluation.
///
/// Swift's `Dictionary` hashes with per-process-seeded SipHash, which dominated evaluation
/// cost in profiles; this table hashes UTF-8 bytes with MurmurHash3 and probes linearly
/// (load factor ≤ 0.5). Tables of up to 4 keys are scanned.
/// Keys are chosen by administrators (flag keys, cohort members), so collision flooding
/// by end users is not a concern: they only choose what is looked up.
struct StringTable<Element: Sendable>: Sendable {
    private let keys: [String]
    private let elements: [Element]
    private let hashes: [UInt32]
    /// Index into `keys`, or -1 for an empty slot; empty for small tables.
    private let slots: [Int32]
    private let mask: Int

    /// Up to this many keys, a lookup compares strings directly: cheaper than hashing.
    private static var linearLimit: Int { 4 }

    /// Builds the table; for duplicate keys the first element wins.
    init(_ entries: [(String, Element)]) {
        var keys: [String] = []
        var elements: [Element] = []
        var seen = Set<String>()
        keys.reserveCapacity(entries.count)
        elements.reserveCapacity(entries.count)
        for (key, element) in entries where seen.insert(key).inserted {
            keys.append(key)
            elements.append(element)
        }
        self.init(uniqueKeys: keys, elements: elements)
    }

    /// Builds the table from a dictionary, whose keys are unique already.
    init(_ dictionary: [String: Element]) {
        self.init(uniqueKeys: Array(dictionary.keys), elements: Array(dictionary.values))
    }

    private init(uniqueKeys keys: [String], elements: [Element]) {
        self.keys = keys
        self.elements = elements
        let hashes = keys.map(Self.hash)
        self.hashes = hashes
        if keys.count <= Self.linearLimit {
            slots = []
            mask = 0
            return
        }
        var capacity = 16
        while capacity < keys.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        for (index, hash) in hashes.enumerated() {
            var slot = Int(hash) & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(index)
        }
        self.slots = slots
        self.mask = capacity - 1
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    @inline(__always)
    static func hash(_ key: String) -> UInt32 {
        var key = key
        return key.withUTF8 { Murmur3.hash32(UnsafeRawBufferPointer($0), seed: 0x5bd1_e995) }
    }

    /// The element stored for `key`.
    @inline(__always)
    subscript(key: String) -> Element? {
        if slots.isEmpty {
            for i in 0..<keys.count where keys[i] == key { return elements[i] }
            return nil
        }
        return self[key, hash: Self.hash(key)]
    }

    /// The element stored for `key`, whose ``hash(_:)`` the caller computed in advance.
    @inline(__always)
    subscript(key: String, hash hash: UInt32) -> Element? {
        if slots.isEmpty {
            for i in 0..<hashes.count where hashes[i] == hash && keys[i] == key { return elements[i] }
            return nil
        }
        var slot = Int(hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if hashes[index] == hash, keys[index] == key { return elements[index] }
            slot = (slot + 1) & mask
        }
    }
}

extension StringTable where Element == Bool {
    /// A set of strings.
    init(set values: some Sequence<String>) {
        self.init(values.map { ($0, true) })
    }

    @inline(__always)
    func contains(_ key: String) -> Bool { self[key] != nil }
}

typealias StringSet = StringTable<Bool>
