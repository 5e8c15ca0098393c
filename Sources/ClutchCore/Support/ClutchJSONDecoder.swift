import Foundation

/// Decodes Clutch JSON to the same values as ``ClutchJSON/decoder()`` (Foundation's
/// `JSONDecoder`, dates as ISO 8601), and throws `DecodingError` where it throws, several times
/// faster. The SDK reads snapshots with it: starting from a cache of 10,000 flags was mostly
/// `JSONDecoder`.
///
/// The types' own `init(from:)` run unchanged, so decoding rules keep one home, the `Codable`
/// conformances; ``CodingUserInfoKey/refuseUnknownKeys`` works as with `JSONDecoder`. The text
/// is parsed first into a ``JSONTree``, then decoded from it: values the models repeat across
/// flags are decoded once per distinct text (``SharedDecodable``).
///
/// Differences from `JSONDecoder`, all on input it should not get: trailing commas, which
/// `JSONDecoder` tolerates, are refused (RFC 8259); invalid UTF-8 is refused even in a string
/// no type reads; input must be UTF-8 (with or without a byte order mark), not UTF-16 or
/// UTF-32; a number no type can hold fails with the path of its field rather than as invalid
/// JSON. Numbers otherwise read as `JSONDecoder` reads them (`1.0` and `1e2` are integers,
/// `1e400` fits nothing, `-0` is an integer 0 or a double −0.0); of a key given twice, the first
/// counts; keys compare as Swift strings (by canonical equivalence); nesting deeper than 512
/// is refused.
public struct ClutchJSONDecoder: Sendable {
    /// Passed to `init(from:)` as the decoder's `userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// Decodes a `T` from the JSON text `data`; throws `DecodingError` as `JSONDecoder` does.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: [UInt8](data))
    }

    /// Decodes a `T` from the JSON text `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let tree: JSONTree
        do {
            tree = try JSONTree(bytes)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "The given data was not valid JSON: \(error).", underlyingError: error))
        }
        var info: [CodingUserInfoKey: Any] = [:]
        for (key, value) in userInfo { info[key] = value }
        return try TreeDecoder(tree: tree, node: 0, path: [], userInfo: info).unwrap(type, node: 0, scope: 0, last: nil)
    }
}

extension ClutchJSON {
    /// A ``ClutchJSONDecoder``: Clutch's settings, Foundation's answers, faster.
    public static func fastDecoder(refusingUnknownKeys: Bool = false) -> ClutchJSONDecoder {
        var decoder = ClutchJSONDecoder()
        if refusingUnknownKeys { decoder.userInfo[.refuseUnknownKeys] = true }
        return decoder
    }

    /// Decodes Clutch JSON with ``ClutchJSONDecoder``: the same values as ``decode(_:from:)``.
    public static func fastDecode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try ClutchJSONDecoder().decode(type, from: data)
    }
}

// MARK: - The decoder

/// One step of a coding path, kept cheap to push: keys become `CodingKey`s only when someone
/// asks for the path.
enum PathEntry {
    /// The key whose string node is at this index of the tree.
    case key(Int)
    case index(Int)
    /// A key given by the caller (a superdecoder's), in ``TreeDecoder/customKeys``.
    case custom(Int)
}

/// An array position in a coding path, spelled as `JSONDecoder` spells it.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// Why a value cannot be read as the type asked for; the caller turns it into a `DecodingError`
/// with the value's coding path.
enum Problem: Error {
    case null
    case mismatch
    case notRepresentable
    case invalid(String)
}

/// `value` as `T`, which the caller has already established it is (`T.self == String.self`, a
/// collection type's own decode): a mismatch is reported as an error, never a crash.
@inline(__always)
func cast<T>(_ value: Any) throws -> T {
    guard let typed = value as? T else {
        throw DecodingError.typeMismatch(T.self, DecodingError.Context(codingPath: [], debugDescription: "expected \(T.self)"))
    }
    return typed
}

/// The `Decoder` over a ``JSONTree``. Like Foundation's, one instance serves a whole decode:
/// decoding a nested value points it at the value's node and extends its path, then restores both.
///
/// Containers refer to their place in the path by a *scope*: a non-negative scope is the length
/// of the decoder's path when the container was made; a negative one indexes ``scopes``, the
/// places of nested containers (`nestedContainer(keyedBy:forKey:)`), which add keys of their own.
final class TreeDecoder: Decoder, SingleValueDecodingContainer {
    let tree: JSONTree
    /// The value `init(from:)` is decoding.
    @exclusivity(unchecked) private(set) var node: Int
    /// Its coding path.
    @exclusivity(unchecked) private(set) var path: [PathEntry]
    @exclusivity(unchecked) private var scopes: [(base: Int, extra: [PathEntry])] = []
    @exclusivity(unchecked) private(set) var customKeys: [any CodingKey] = []
    let userInfo: [CodingUserInfoKey: Any]

    init(tree: JSONTree, node: Int, path: [PathEntry], userInfo: [CodingUserInfoKey: Any]) {
        self.tree = tree
        self.node = node
        self.path = path
        self.userInfo = userInfo
    }

    // MARK: Paths

    func codingKey(_ entry: PathEntry) -> any CodingKey {
        switch entry {
        case .key(let node): return AnyCodingKey(stringValue: tree.string(node))
        case .index(let index): return IndexKey(index)
        case .custom(let index): return customKeys[index]
        }
    }

    var codingPath: [any CodingKey] { path.map(codingKey) }

    /// The entries of `scope`'s path.
    func entries(_ scope: Int) -> [PathEntry] {
        if scope >= 0 { return Array(path.prefix(scope)) }
        let (base, extra) = scopes[~scope]
        return Array(path.prefix(base)) + extra
    }

    /// The coding path of `scope`, then `key`.
    func codingPath(_ scope: Int, _ key: (any CodingKey)? = nil) -> [any CodingKey] {
        var result = entries(scope).map(codingKey)
        if let key { result.append(key) }
        return result
    }

    /// The scope of a container nested in `scope` at `entry`.
    func nestedScope(_ scope: Int, _ entry: PathEntry) -> Int {
        var base = scope, extra: [PathEntry] = []
        if scope < 0 { (base, extra) = scopes[~scope] }
        scopes.append((base, extra + [entry]))
        return ~(scopes.count - 1)
    }

    func customEntry(_ key: any CodingKey) -> PathEntry {
        customKeys.append(key)
        return .custom(customKeys.count - 1)
    }

    // MARK: Containers

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try KeyedContainer<Key>(decoder: self, node: node, scope: path.count))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedContainer(decoder: self, node: node, scope: path.count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Checks that `node` is an object (or an array), as a container over it needs.
    func expect(_ kind: JSONTree.Kind, at node: Int, scope: Int) throws {
        let actual = tree.nodes[node].kind
        guard actual != kind else { return }
        let (type, name): (Any.Type, String) = kind == .object ? ([String: Any].self, "keyed") : ([Any].self, "unkeyed")
        if actual == .null {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath(scope), debugDescription: "Cannot get \(name) decoding container -- found null value instead"))
        }
        throw DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: codingPath(scope), debugDescription: "Expected to decode \(type) but found \(describe(node)) instead."))
    }

    // MARK: Decoding a value

    /// Decodes `node` as `T`; `node` is the value at `last` in `scope` (or `scope`'s own value).
    func unwrap<T: Decodable>(_ type: T.Type, node: Int, scope: Int, last: PathEntry?) throws -> T {
        let handling = handling(of: T.self)
        switch handling {
        case .string:  // array elements, mostly (arrays decode their elements generically)
            let string: String
            do {
                string = try readString(node)
            } catch {
                throw self.error(error, String.self, node, codingPath(scope, last.map(codingKey)))
            }
            return try cast(string)
        case .foundation:
            return try special(type, node: node, path: { codingPath(scope, last.map(codingKey)) })
        case .collection(_, let shared?), .plain(let shared?):
            let n = tree.nodes[node]
            guard shared.isActive, n.isContainer, n.a > 0 else { break }
            // Decoded once per text: later equal texts get a copy.
            let hash = tree.hash(node)
            if let position = shared.position(hash: hash, node: node, in: tree) { return shared.value(T.self, at: position) }
            let value = try decode(type, handling, node: node, scope: scope, last: last)
            if shared.isActive { shared.add(value, hash: hash, node: node) }
            return value
        case .collection, .plain:
            break
        }
        return try decode(type, handling, node: node, scope: scope, last: last)
    }

    /// Decodes `node` by its type's `init(from:)`, or as a collection.
    private func decode<T: Decodable>(_ type: T.Type, _ handling: Handling, node: Int, scope: Int, last: PathEntry?) throws -> T {
        let savedNode = self.node
        let savedCount = path.count
        // A container is used while the decoder's path is the container's; one kept past that
        // (or a nested one) sets the path, and the decoder's own is put back afterwards.
        var savedPath: [PathEntry]?
        if scope != savedCount {
            savedPath = path
            path = entries(scope)
        }
        if let last { path.append(last) }
        self.node = node
        defer {
            self.node = savedNode
            if let savedPath {
                path = savedPath
            } else if path.count > savedCount {
                path.removeLast(path.count - savedCount)
            }
        }
        if case .collection(let collection, _) = handling {
            return try cast(collection.decode(self, node: node))
        }
        return try T(from: self)
    }

    /// How values of a type are decoded.
    enum Handling {
        case string
        /// Date, Data, URL and Decimal, which `JSONDecoder` decodes its own way.
        case foundation
        /// Arrays and dictionaries; `shared` for those of ``SharedDecodable`` values.
        case collection(any TreeDecodableCollection.Type, shared: SharedValues?)
        /// By the type's `init(from:)`; `shared` for ``SharedDecodable`` types.
        case plain(shared: SharedValues?)
    }

    /// How each type decoded so far is handled, found once per type (a conformance check
    /// costs more than this scan of the few types a document holds).
    @exclusivity(unchecked) private var handlings: [(type: ObjectIdentifier, handling: Handling)] = []

    @inline(__always)
    private func handling<T: Decodable>(of type: T.Type) -> Handling {
        let id = ObjectIdentifier(type)
        for entry in handlings where entry.type == id { return entry.handling }
        let handling: Handling
        if T.self == String.self {
            handling = .string
        } else if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            handling = .foundation
        } else if let collection = T.self as? any TreeDecodableCollection.Type {
            handling = .collection(collection, shared: collection.hasSharedElements ? SharedValues(of: T.self) : nil)
        } else {
            handling = .plain(shared: T.self is any SharedDecodable.Type ? SharedValues(of: T.self) : nil)
        }
        handlings.append((id, handling))
        return handling
    }

    private func special<T>(_ type: T.Type, node: Int, path: () -> [any CodingKey]) throws -> T {
        do {
            if tree.nodes[node].kind == .null { throw Problem.null }
            if T.self == Date.self {
                guard let date = try? Date.ISO8601FormatStyle().parse(readString(node)) else {
                    throw Problem.invalid("Expected date string to be ISO8601-formatted.")
                }
                return try cast(date)
            }
            if T.self == Data.self {
                guard let data = Data(base64Encoded: try readString(node)) else { throw Problem.invalid("Encountered Data is not valid Base64.") }
                return try cast(data)
            }
            if T.self == URL.self {
                guard let url = URL(string: try readString(node)) else { throw Problem.invalid("Invalid URL string.") }
                return try cast(url)
            }
            // Decimal
            guard tree.nodes[node].kind == .number else { throw Problem.mismatch }
            guard let decimal = Decimal(string: tree.string(node)) else { throw Problem.notRepresentable }
            return try cast(decimal)
        } catch let problem as Problem {
            // As JSONDecoder: null is reported for the type asked for; any other kind as not a
            // string (dates, data and URLs are read as strings) or not a number (decimals).
            var expected: Any.Type = T.self == Decimal.self ? Decimal.self : String.self
            if case .null = problem { expected = T.self }
            throw error(problem, expected, node, path())
        }
    }

    /// The `DecodingError` for `problem` reading `node` as `type`, at `path`.
    func error(_ problem: Problem, _ type: Any.Type, _ node: Int, _ path: [any CodingKey]) -> DecodingError {
        switch problem {
        case .null:
            return DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: path, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        case .mismatch:
            return DecodingError.typeMismatch(type, DecodingError.Context(
                codingPath: path, debugDescription: "Expected to decode \(type) but found \(describe(node)) instead."))
        case .notRepresentable:
            return DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path, debugDescription: "Number \(tree.string(node)) is not representable in Swift."))
        case .invalid(let message):
            return DecodingError.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: message))
        }
    }

    func describe(_ node: Int) -> String {
        switch tree.nodes[node].kind {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "a dictionary"
        }
    }

    // MARK: Primitives

    /// What a value that is not of the kind asked for is: null or a mismatch.
    @inline(__always)
    private func wrongKind(_ node: Int) -> Problem {
        tree.nodes[node].kind == .null ? .null : .mismatch
    }

    @inline(__always)
    func readBool(_ node: Int) throws(Problem) -> Bool {
        let n = tree.nodes[node]
        guard n.kind == .bool else { throw wrongKind(node) }
        return n.flags & JSONTree.Node.isTrue != 0
    }

    @inline(__always)
    func readString(_ node: Int) throws(Problem) -> String {
        guard tree.nodes[node].kind == .string else { throw wrongKind(node) }
        return tree.string(node)
    }

    /// A number as `JSONDecoder` reads it into a floating-point type: the nearest value,
    /// refusing numbers too large for `T` or too small to be anything but zero.
    func readFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type, _ node: Int) throws(Problem) -> T {
        let n = tree.nodes[node]
        guard n.kind == .number else { throw wrongKind(node) }
        // Up to 15 digits are exact in a Double, and (converted once) correctly rounded in a Float.
        if n.flags & JSONTree.Node.isInteger != 0, n.b <= 15, let integer = integerDigits(node, as: Int64.self) {
            return integer == 0 && n.b > 1 ? -T.zero : T(integer)  // "-0" is negative zero
        }
        guard let value = T(tree.string(node)), value.isFinite else { throw .notRepresentable }
        if value == 0, !isTrueZero(node) { throw .notRepresentable }
        return value
    }

    /// Whether a number's digits before any exponent are all zeros.
    private func isTrueZero(_ node: Int) -> Bool {
        tree.withText(node) { text in
            for c in text {
                if c | 0x20 == UInt8(ascii: "e") { return true }
                if c >= UInt8(ascii: "1"), c <= UInt8(ascii: "9") { return false }
            }
            return true
        }
    }

    /// A number as `JSONDecoder` reads it into an integer type: plain digits that fit, or
    /// a number whose value is an integer that fits (`1.0`, `1e2`).
    func readInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, _ node: Int) throws(Problem) -> T {
        let n = tree.nodes[node]
        guard n.kind == .number else { throw wrongKind(node) }
        if n.flags & JSONTree.Node.isInteger != 0, let value = integerDigits(node, as: T.self) {
            return value
        }
        // Foundation's slow path: through a Double, exact below 2^53; larger values go through Decimal.
        let text = tree.string(node)
        guard let double = Double(text), let value = T(exactly: double) else { throw .notRepresentable }
        if double.magnitude < 0x1p53 { return value }
        // As rare as it is subtle (Decimal's rounding of long digit strings): ask Foundation itself.
        guard let exact = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else { throw .notRepresentable }
        return exact
    }

    /// The value of a number written as plain digits, if it fits in `T`.
    @inline(__always)
    private func integerDigits<T: FixedWidthInteger>(_ node: Int, as type: T.Type) -> T? {
        tree.withText(node) { text -> T? in
            var k = 0
            let negative = text[0] == UInt8(ascii: "-")
            if negative { k = 1 }
            var magnitude: UInt64 = 0
            if text.count - k <= 18 {  // cannot overflow
                while k < text.count {
                    magnitude = magnitude &* 10 &+ UInt64(text[k] &- UInt8(ascii: "0"))
                    k += 1
                }
            } else {
                while k < text.count {
                    let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(text[k] &- UInt8(ascii: "0")))
                    if o1 || o2 { return nil }
                    magnitude = sum
                    k += 1
                }
            }
            if negative {
                if magnitude == 0 { return 0 }
                guard T.isSigned, magnitude <= UInt64(1) << 63 else { return nil }
                return T(exactly: Int64(truncatingIfNeeded: 0 &- magnitude))
            }
            return T(exactly: magnitude)
        }
    }

    // MARK: SingleValueDecodingContainer (the decoder's current value)

    @inline(__always)
    private func read<T>(_ type: T.Type, _ body: (Int) throws(Problem) -> T) throws -> T {
        do {
            return try body(node)
        } catch {
            throw self.error(error, type, node, codingPath)
        }
    }

    func decodeNil() -> Bool { tree.nodes[node].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try read(type) { n throws(Problem) in try readBool(n) } }
    func decode(_ type: String.Type) throws -> String { try read(type) { n throws(Problem) in try readString(n) } }
    func decode(_ type: Double.Type) throws -> Double { try read(type) { n throws(Problem) in try readFloatingPoint(type, n) } }
    func decode(_ type: Float.Type) throws -> Float { try read(type) { n throws(Problem) in try readFloatingPoint(type, n) } }
    func decode(_ type: Int.Type) throws -> Int { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: UInt.Type) throws -> UInt { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) { n throws(Problem) in try readInteger(type, n) } }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(type, node: node, scope: path.count, last: nil) }
}

// MARK: - Arrays and dictionaries

/// Arrays and string-keyed dictionaries, decoded straight from the tree: what their own
/// `init(from:)` gives (element by element through a container; for a key given twice, the
/// first), without a container, an existential or a regrowing buffer per element.
protocol TreeDecodableCollection {
    /// Decodes `node`, the decoder's current value, whose path is the decoder's path.
    static func decode(_ decoder: TreeDecoder, node: Int) throws -> Self
    /// Whether the elements are ``SharedDecodable`` (and so is the collection).
    static var hasSharedElements: Bool { get }
}

extension Array: TreeDecodableCollection where Element: Decodable {
    static var hasSharedElements: Bool { Element.self is any SharedDecodable.Type }

    static func decode(_ decoder: TreeDecoder, node: Int) throws -> [Element] {
        let scope = decoder.path.count
        try decoder.expect(.array, at: node, scope: scope)
        let tree = decoder.tree
        let count = Int(tree.nodes[node].a)
        if count == 0 { return [] }
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            var k = node + 1
            for i in 0..<count {
                (buffer.baseAddress! + i).initialize(to: try decoder.unwrap(Element.self, node: k, scope: scope, last: .index(i)))
                initialized += 1
                k = tree.next(after: k)
            }
        }
    }
}

extension Dictionary: TreeDecodableCollection where Key == String, Value: Decodable {
    static var hasSharedElements: Bool { Value.self is any SharedDecodable.Type }

    static func decode(_ decoder: TreeDecoder, node: Int) throws -> [String: Value] {
        let scope = decoder.path.count
        try decoder.expect(.object, at: node, scope: scope)
        let tree = decoder.tree
        let count = Int(tree.nodes[node].a)
        var result: [String: Value] = [:]
        result.reserveCapacity(count)
        var k = node + 1
        for _ in 0..<count {
            let key = tree.string(k)
            if result[key] == nil {
                result[key] = try decoder.unwrap(Value.self, node: k + 1, scope: scope, last: .key(k))
            }
            k = tree.next(after: k + 1)
        }
        return result
    }
}

// MARK: - Shared values

/// Model types whose decoding depends on nothing but the JSON text of the value (and the
/// decoder's `userInfo`, fixed for a decode), and that are plain values. Within one decode,
/// ``ClutchJSONDecoder`` decodes each distinct text of these types once and hands out copies
/// for the same text again (arrays and dictionaries of them likewise). Snapshots repeat such
/// values across flags (the variants of boolean flags, serves, rollouts, rules, the states of
/// flags that are off): their decoding is skipped and the copies share storage.
///
/// A type qualifies when its `init(from:)` reads only the decoder's values, never its
/// `codingPath` or anything outside the decoder. Decodes that fail are not remembered, so
/// errors are the same as without sharing. Recursive types (``Value``) are left out: hashing
/// each level of a deep value again would cost more than it saves.
protocol SharedDecodable: Decodable {}

extension Variant: SharedDecodable {}
extension FlagState: SharedDecodable {}
extension Target: SharedDecodable {}
extension Rule: SharedDecodable {}
extension Clause: SharedDecodable {}
extension Serve: SharedDecodable {}
extension Rollout: SharedDecodable {}
extension Rollout.Weight: SharedDecodable {}

/// The values of one type decoded so far, by the text they were decoded from: a hash table
/// of tree nodes (whose text is compared byte for byte on a hash match) and the values.
///
/// Not generic: code generic over the value type would look up the table's type metadata at
/// every use, costing much of what sharing saves. The value type's metadata comes with each
/// call instead, and the values sit in raw memory of that type.
///
/// A type whose values turn out not to repeat in a document (say the states of flags that all
/// target different customers) stops being shared after a while: hashing and remembering its
/// values would only cost.
final class SharedValues {
    @exclusivity(unchecked) private var slots: [Int32] = []
    @exclusivity(unchecked) private var hashes: [UInt32] = []
    @exclusivity(unchecked) private var nodes: [Int] = []
    @exclusivity(unchecked) private var values: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var capacity = 0
    @exclusivity(unchecked) private var lookups = 0
    @exclusivity(unchecked) private var hits = 0
    /// Whether values are still looked up and remembered.
    @exclusivity(unchecked) private(set) var isActive = true
    private let stride: Int
    private let alignment: Int
    private let destroy: (UnsafeMutableRawPointer, Int) -> Void

    init<T>(of type: T.Type) {
        stride = max(1, MemoryLayout<T>.stride)
        alignment = MemoryLayout<T>.alignment
        destroy = { $0.assumingMemoryBound(to: T.self).deinitialize(count: $1) }
    }

    deinit {
        if let values {
            destroy(values, hashes.count)
            values.deallocate()
        }
    }

    /// Where the value decoded from the same text as `node` is, if there is one. (Not an
    /// optional value: generic code would look up the optional's type metadata.)
    func position(hash: UInt32, node: Int, in tree: JSONTree) -> Int? {
        lookups += 1
        if !slots.isEmpty {
            let mask = slots.count - 1
            var slot = Int(hash) & mask
            while slots[slot] >= 0 {
                let position = Int(slots[slot])
                if hashes[position] == hash, tree.sameText(nodes[position], node) {
                    hits += 1
                    return position
                }
                slot = (slot + 1) & mask
            }
        }
        // Values that do not repeat: stop looking after a fair trial.
        if lookups >= 256, hits * 8 < lookups { isActive = false }
        return nil
    }

    /// A copy of the value at `position`.
    func value<T>(_ type: T.Type, at position: Int) -> T {
        (values! + position * stride).assumingMemoryBound(to: T.self).pointee
    }

    /// Remembers `value`, decoded from `node`'s text.
    func add<T>(_ value: T, hash: UInt32, node: Int) {
        let count = hashes.count
        if count == capacity {
            let larger = UnsafeMutableRawPointer.allocate(byteCount: max(16, capacity * 2) * stride, alignment: alignment)
            if let values {
                larger.moveInitializeMemory(as: T.self, from: values.assumingMemoryBound(to: T.self), count: count)
                values.deallocate()
            }
            values = larger
            capacity = max(16, capacity * 2)
        }
        (values! + count * stride).initializeMemory(as: T.self, to: value)
        if (count + 1) * 2 > slots.count {
            slots = [Int32](repeating: -1, count: max(64, slots.count * 2))
            for (position, hash) in hashes.enumerated() { place(hash, position) }
        }
        place(hash, count)
        hashes.append(hash)
        nodes.append(node)
    }

    private func place(_ hash: UInt32, _ position: Int) {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position)
    }
}

extension JSONTree {
    /// The hash of container `node`'s text.
    func hash(_ node: Int) -> UInt32 {
        let n = nodes[node]
        return bytes.withUnsafeBytes { Murmur3.hash32(UnsafeRawBufferPointer(rebasing: $0[Int(n.start)..<Int(n.end)]), seed: tableSeed) }
    }

    /// Whether containers `a` and `b` have the same text.
    func sameText(_ a: Int, _ b: Int) -> Bool {
        let x = nodes[a], y = nodes[b]
        guard x.end - x.start == y.end - y.start else { return false }
        return bytes.withUnsafeBytes {
            memcmp($0.baseAddress! + Int(x.start), $0.baseAddress! + Int(y.start), Int(x.end - x.start)) == 0
        }
    }
}

// MARK: - Keyed container

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let node: Int
    let scope: Int
    /// Whether key lookups go through `decoder.tree`'s index of this object rather than a scan.
    private let indexed: Bool

    init(decoder: TreeDecoder, node: Int, scope: Int) throws {
        try decoder.expect(.object, at: node, scope: scope)
        self.decoder = decoder
        self.node = node
        self.scope = scope
        indexed = decoder.tree.nodes[node].flags & JSONTree.Node.indexed != 0
    }

    var codingPath: [any CodingKey] { decoder.codingPath(scope) }

    var allKeys: [Key] {
        let tree = decoder.tree
        var names: [String] = []
        var k = node + 1
        for _ in 0..<Int(tree.nodes[node].a) {
            names.append(tree.string(k))
            k = tree.next(after: k + 1)
        }
        if indexed {
            var seen = Set<String>()
            names = names.filter { seen.insert($0).inserted }
        } else {
            var unique: [String] = []
            for name in names where !unique.contains(name) { unique.append(name) }
            names = unique
        }
        return names.compactMap { Key(stringValue: $0) }
    }

    /// The value node of `key`, if the object has it.
    @inline(__always)
    private func find(_ key: Key) -> Int? {
        decoder.tree.find(key.stringValue, in: node, indexed: indexed)
    }

    private func value(_ key: Key) throws -> Int {
        guard let value = find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    /// Reads the value of `key` with `body`.
    @inline(__always)
    private func read<T>(_ type: T.Type, _ key: Key, _ body: (TreeDecoder, Int) throws(Problem) -> T) throws -> T {
        let value = try value(key)
        do {
            return try body(decoder, value)
        } catch {
            throw decoder.error(error, type, value, decoder.codingPath(scope, key))
        }
    }

    /// Reads the value of `key` with `body`, unless it is absent or null.
    @inline(__always)
    private func readIfPresent<T>(_ type: T.Type, _ key: Key, _ body: (TreeDecoder, Int) throws(Problem) -> T) throws -> T? {
        guard let value = find(key), decoder.tree.nodes[value].kind != .null else { return nil }
        do {
            return try body(decoder, value)
        } catch {
            throw decoder.error(error, type, value, decoder.codingPath(scope, key))
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.tree.nodes[try value(key)].kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(type, key) { d, n throws(Problem) in try d.readBool(n) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(type, key) { d, n throws(Problem) in try d.readString(n) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(type, key) { d, n throws(Problem) in try d.readFloatingPoint(type, n) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try read(type, key) { d, n throws(Problem) in try d.readFloatingPoint(type, n) } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(type, key) { d, n throws(Problem) in try d.readInteger(type, n) } }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try value(key)
        return try decoder.unwrap(type, node: value, scope: scope, last: .key(value - 1))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readBool(n) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readString(n) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readFloatingPoint(type, n) }
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readFloatingPoint(type, n) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        try readIfPresent(type, key) { d, n throws(Problem) in try d.readInteger(type, n) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = find(key), decoder.tree.nodes[value].kind != .null else { return nil }
        return try decoder.unwrap(type, node: value, scope: scope, last: .key(value - 1))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try value(key)
        return KeyedDecodingContainer(try KeyedContainer<NestedKey>(
            decoder: decoder, node: value, scope: decoder.nestedScope(scope, .key(value - 1))))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try value(key)
        return try UnkeyedContainer(decoder: decoder, node: value, scope: decoder.nestedScope(scope, .key(value - 1)))
    }

    func superDecoder() throws -> any Decoder {
        superDecoder(named: "super", key: AnyCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        superDecoder(named: key.stringValue, key: key)
    }

    /// A decoder of the value of `name`; of null when the object lacks it, as with `JSONDecoder`.
    private func superDecoder(named name: String, key: any CodingKey) -> any Decoder {
        let node = decoder.tree.find(name, in: node, indexed: indexed) ?? decoder.tree.absent
        let sub = TreeDecoder(tree: decoder.tree, node: node, path: [], userInfo: decoder.userInfo)
        sub.adoptPath(decoder.codingPath(scope, key))
        return sub
    }
}

extension TreeDecoder {
    /// Sets the path of a new decoder (a superdecoder) to `keys`.
    func adoptPath(_ keys: [any CodingKey]) {
        path = keys.map(customEntry)
    }
}

extension JSONTree {
    /// The value node of key `name` in object `node`.
    @inline(__always)
    func find(_ name: String, in node: Int, indexed: Bool) -> Int? {
        if indexed { return index(of: node)[name] }
        var name = name
        return name.withUTF8 { want -> Int? in
            // A name that is not ASCII may equal an ASCII key as a Swift string ("\u{212A}" is "K").
            if want.contains(where: { $0 >= 0x80 }) { return index(of: node)[String(decoding: want, as: UTF8.self)] }
            return bytes.withUnsafeBufferPointer { bytes -> Int? in
                var k = node + 1
                for _ in 0..<Int(nodes[node].a) {
                    let n = nodes[k]
                    if Int(n.b) == want.count {
                        if n.flags & Node.escaped == 0 {
                            if Self.equal(bytes, Int(n.a), want) { return k + 1 }
                        } else if withText(k, { $0.elementsEqual(want) }) {
                            return k + 1
                        }
                    }
                    k = next(after: k + 1)
                }
                return nil
            }
        }
    }

    @inline(__always)
    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ want: UnsafeBufferPointer<UInt8>) -> Bool {
        for j in 0..<want.count where bytes[start + j] != want[j] { return false }
        return true
    }
}

// MARK: - Unkeyed container

/// Small enough (three words) to sit in an existential without an allocation.
struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    /// The node of the element at `currentIndex`.
    private var cursor: UInt32
    private var index: UInt32
    private let total: UInt32
    private let scopeValue: Int32

    init(decoder: TreeDecoder, node: Int, scope: Int) throws {
        try decoder.expect(.array, at: node, scope: scope)
        self.decoder = decoder
        cursor = UInt32(node + 1)
        index = 0
        total = decoder.tree.nodes[node].a
        scopeValue = Int32(truncatingIfNeeded: scope)
    }

    private var scope: Int { Int(scopeValue) }
    var count: Int? { Int(total) }
    var currentIndex: Int { Int(index) }
    var isAtEnd: Bool { index >= total }
    var codingPath: [any CodingKey] { decoder.codingPath(scope) }

    /// The current element's node; throws at the end.
    @inline(__always)
    private func element(_ type: Any.Type) throws -> Int {
        guard index < total else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: decoder.codingPath(scope, IndexKey(currentIndex)), debugDescription: "Unkeyed container is at end."))
        }
        return Int(cursor)
    }

    @inline(__always)
    private mutating func advance() {
        cursor = UInt32(decoder.tree.next(after: Int(cursor)))
        index += 1
    }

    /// Reads the current element with `body`, and moves on only if that succeeded.
    @inline(__always)
    private mutating func read<T>(_ type: T.Type, _ body: (TreeDecoder, Int) throws(Problem) -> T) throws -> T {
        let node = try element(type)
        do {
            let value = try body(decoder, node)
            advance()
            return value
        } catch {
            throw decoder.error(error, type, node, decoder.codingPath(scope, IndexKey(currentIndex)))
        }
    }

    mutating func decodeNil() throws -> Bool {
        guard decoder.tree.nodes[try element(Never.self)].kind == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) { d, n throws(Problem) in try d.readBool(n) } }
    mutating func decode(_ type: String.Type) throws -> String { try read(type) { d, n throws(Problem) in try d.readString(n) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try read(type) { d, n throws(Problem) in try d.readFloatingPoint(type, n) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try read(type) { d, n throws(Problem) in try d.readFloatingPoint(type, n) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read(type) { d, n throws(Problem) in try d.readInteger(type, n) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let node = try element(type)
        let value = try decoder.unwrap(type, node: node, scope: scope, last: .index(currentIndex))
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let node = try element([String: Any].self)
        let container = try KeyedContainer<NestedKey>(decoder: decoder, node: node, scope: decoder.nestedScope(scope, .index(currentIndex)))
        advance()
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let node = try element([Any].self)
        let container = try UnkeyedContainer(decoder: decoder, node: node, scope: decoder.nestedScope(scope, .index(currentIndex)))
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let node = try element((any Decoder).self)
        let sub = TreeDecoder(tree: decoder.tree, node: node, path: [], userInfo: decoder.userInfo)
        sub.adoptPath(decoder.codingPath(scope, IndexKey(currentIndex)))
        advance()
        return sub
    }
}
