/// Positions of a fixed set of string keys, found with the engine's own hash table
/// (MurmurHash3, no per-process seeded SipHash). For code outside the engine that keeps
/// something per flag on an evaluation path, such as the SDK's usage counters.
public struct KeyIndex: Sendable {
    private let table: StringTable<Int>

    /// Indexes `keys`; a key's position is its index in `keys` (the first, if repeated).
    public init(_ keys: [String]) {
        table = StringTable(keys.enumerated().map { ($0.element, $0.offset) })
    }

    /// The position of `key` in the keys this index was built from.
    public func position(of key: String) -> Int? { table[key] }

    /// How many distinct keys are indexed.
    public var count: Int { table.count }
}
