/// A JSON text parsed into one flat array of nodes in document order, for ``ClutchJSONDecoder``.
///
/// Parsing checks the whole text against RFC 8259 (no trailing commas, no leading zeros, no
/// control characters or invalid UTF-8 in strings, no lone surrogates) and resolves escapes,
/// but leaves numbers as text: how a number reads depends on the type asked for, which only
/// decoding knows. The parser is iterative and refuses nesting deeper than ``maxDepth``, so
/// a hostile document cannot exhaust the stack here or in the decoding that follows.
final class JSONTree {
    /// The deepest nesting of arrays and objects accepted (as deep as Foundation's `JSONDecoder`).
    static let maxDepth = 512

    enum Kind: UInt8 {
        case null, bool, number, string, array, object
    }

    /// One value. Containers are followed by their contents: an array's elements, or an
    /// object's keys (string nodes) each followed by its value.
    struct Node {
        var kind: Kind
        /// bool: `isTrue`; number: `isInteger`; string: `escaped`, `nonASCII`; object: `indexed`.
        var flags: UInt8
        /// string, number: offset of the text (of an escaped string: in ``strings``);
        /// array: element count; object: entry count.
        var a: UInt32
        /// string, number: length of the text in bytes; array, object: index of the node after its contents.
        var b: UInt32
        /// array, object: the byte range of its text in ``bytes`` (from the opening bracket to
        /// after the closing one), by which equal values are recognized (``SharedDecodable``).
        var start: UInt32 = 0
        var end: UInt32 = 0

        static let isTrue: UInt8 = 1
        static let isInteger: UInt8 = 1
        static let escaped: UInt8 = 1
        static let nonASCII: UInt8 = 2
        /// An object whose keys are looked up in an index (``JSONTree/index(of:)``) rather than
        /// scanned: a large one (a dictionary), or one with a key that is not ASCII, as such
        /// keys compare as Swift strings (by canonical equivalence), as in `JSONDecoder`.
        static let indexed: UInt8 = 1

        /// Objects with more entries than this are indexed.
        static let scanLimit = 12

        var isContainer: Bool { kind.rawValue >= Kind.array.rawValue }
    }

    /// The input, without a UTF-8 byte order mark.
    let bytes: [UInt8]
    /// The text of strings that contained escapes, with the escapes resolved.
    let strings: [UInt8]
    /// Every value of the document in order, then one null (``absent``). Owned by the tree;
    /// indices come from the parser, which keeps them within the buffer.
    let nodes: UnsafeMutableBufferPointer<Node>
    /// Positions of the values of keys, for objects looked up by ``index(of:)``.
    @exclusivity(unchecked) private var indexes: [Int: [String: Int]] = [:]

    /// Why a text is not JSON, and the byte offset where that became clear.
    struct SyntaxError: Error, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    init(_ input: [UInt8]) throws(SyntaxError) {
        var start = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { start = 3 }  // UTF-8 BOM
        guard input.count < Int(UInt32.max) else { throw SyntaxError(message: "document too large", offset: 0) }
        var parser = Parser(count: input.count - start)
        let result: Result<Void, SyntaxError> = input.withUnsafeBufferPointer { buffer in
            do throws(SyntaxError) {
                try parser.parse(UnsafeBufferPointer(rebasing: buffer[start...]))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            parser.deallocate()
            throw error
        }
        // One null after the document, for a superdecoder of a key that is absent.
        parser.append(Node(kind: .null, flags: 0, a: 0, b: 0))
        bytes = start == 0 ? input : Array(input[start...])
        strings = parser.strings
        nodes = parser.takeNodes()
    }

    deinit {
        nodes.deallocate()
    }

    /// A null node outside the document.
    var absent: Int { nodes.count - 1 }

    /// The index of the node after `index` and its contents.
    @inline(__always)
    func next(after index: Int) -> Int {
        let node = nodes[index]
        return node.isContainer ? Int(node.b) : index + 1
    }

    /// Calls `body` with the UTF-8 bytes of string node `index`.
    @inline(__always)
    func withText<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let node = nodes[index]
        let start = Int(node.a), end = start + Int(node.b)
        if node.kind == .string, node.flags & Node.escaped != 0 {
            return try strings.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The value nodes of object `node` by key; of a key given twice, the first.
    func index(of node: Int) -> [String: Int] {
        if let index = indexes[node] { return index }
        var index: [String: Int] = [:]
        index.reserveCapacity(Int(nodes[node].a))
        var k = node + 1
        for _ in 0..<Int(nodes[node].a) {
            let name = string(k)
            if index[name] == nil { index[name] = k + 1 }
            k = next(after: k + 1)
        }
        indexes[node] = index
        return index
    }

    /// The text of string or number node `index`.
    func string(_ index: Int) -> String {
        withText(index) { String(decoding: $0, as: UTF8.self) }
    }
}

// MARK: - Parsing

/// Parses into buffers of its own (appending to arrays costs a uniqueness check a value);
/// ``takeNodes()`` hands the nodes over, ``deallocate()`` frees them after an error.
private struct Parser {
    private var nodes: UnsafeMutablePointer<JSONTree.Node>
    private var nodeCount = 0
    private var nodeCapacity: Int
    /// The arrays and objects not yet closed, innermost last.
    private let stack: UnsafeMutablePointer<Open>
    private var depth = 0
    var strings: [UInt8] = []
    private var p = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var i = 0

    /// An array or object not yet closed.
    private struct Open {
        var node: Int
        var count: Int
        var isObject: Bool
        /// Whether an object has a key that is not ASCII.
        var nonASCIIKey = false
    }

    init(count: Int) {
        // JSON averages several bytes per value; this avoids most regrowth.
        nodeCapacity = count / 6 + 16
        nodes = .allocate(capacity: nodeCapacity)
        stack = .allocate(capacity: JSONTree.maxDepth)
    }

    /// The nodes parsed, as a buffer the caller owns; frees the rest.
    mutating func takeNodes() -> UnsafeMutableBufferPointer<JSONTree.Node> {
        stack.deallocate()
        return UnsafeMutableBufferPointer(start: nodes, count: nodeCount)
    }

    func deallocate() {
        nodes.deallocate()
        stack.deallocate()
    }

    @inline(__always)
    mutating func append(_ node: JSONTree.Node) {
        if nodeCount == nodeCapacity {
            let larger = UnsafeMutablePointer<JSONTree.Node>.allocate(capacity: nodeCapacity * 2)
            larger.moveInitialize(from: nodes, count: nodeCount)
            nodes.deallocate()
            nodes = larger
            nodeCapacity *= 2
        }
        (nodes + nodeCount).initialize(to: node)
        nodeCount += 1
    }

    private func error(_ message: String) -> JSONTree.SyntaxError {
        JSONTree.SyntaxError(message: message, offset: i)
    }

    mutating func parse(_ input: UnsafeBufferPointer<UInt8>) throws(JSONTree.SyntaxError) {
        p = input
        defer { p = UnsafeBufferPointer(start: nil, count: 0) }
        let end = p.count
        value: while true {
            skipWhitespace()
            guard i < end else { throw error(depth == 0 ? "no JSON value" : "unexpected end of input") }
            switch p[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = p[i] == UInt8(ascii: "{")
                guard depth < JSONTree.maxDepth else {
                    throw error("arrays and objects nested deeper than \(JSONTree.maxDepth)")
                }
                append(JSONTree.Node(kind: isObject ? .object : .array, flags: 0, a: 0, b: 0, start: UInt32(i)))
                i += 1
                skipWhitespace()
                if i < end, p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    nodes[nodeCount - 1].b = UInt32(nodeCount)
                    nodes[nodeCount - 1].end = UInt32(i)
                } else {
                    (stack + depth).initialize(to: Open(node: nodeCount - 1, count: 0, isObject: isObject))
                    depth += 1
                    if isObject { stack[depth - 1].nonASCIIKey = try key() }
                    continue value
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            case UInt8(ascii: "t"):
                try literal("true", JSONTree.Node(kind: .bool, flags: JSONTree.Node.isTrue, a: 0, b: 0))
            case UInt8(ascii: "f"):
                try literal("false", JSONTree.Node(kind: .bool, flags: 0, a: 0, b: 0))
            case UInt8(ascii: "n"):
                try literal("null", JSONTree.Node(kind: .null, flags: 0, a: 0, b: 0))
            default:
                throw error("unexpected character '\(Unicode.Scalar(p[i]).escaped(asASCII: true))'")
            }
            // A value is complete: it belongs to the innermost open container, which may close.
            while depth > 0 {
                let top = stack + (depth - 1)
                top.pointee.count += 1
                skipWhitespace()
                guard i < end else { throw error("unexpected end of input") }
                let isObject = top.pointee.isObject
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    if isObject {
                        skipWhitespace()
                        if try key() { top.pointee.nonASCIIKey = true }
                    }
                    continue value
                }
                guard p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                i += 1
                let open = top.pointee
                depth -= 1
                nodes[open.node].a = UInt32(open.count)
                nodes[open.node].b = UInt32(nodeCount)
                nodes[open.node].end = UInt32(i)
                if open.nonASCIIKey || open.count > JSONTree.Node.scanLimit { nodes[open.node].flags = JSONTree.Node.indexed }
            }
            break
        }
        skipWhitespace()
        guard i == end else { throw error("unexpected text after the JSON value") }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < p.count {
            switch p[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): i += 1
            default: return
            }
        }
    }

    /// An object key and its colon; returns whether the key is not ASCII.
    private mutating func key() throws(JSONTree.SyntaxError) -> Bool {
        guard i < p.count, p[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        try string()
        skipWhitespace()
        guard i < p.count, p[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
        i += 1
        return nodes[nodeCount - 1].flags & JSONTree.Node.nonASCII != 0
    }

    private mutating func literal(_ word: StaticString, _ node: JSONTree.Node) throws(JSONTree.SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard p.count - i >= count else { throw error("invalid literal") }
        let text = word.utf8Start
        for k in 0..<count where p[i + k] != text[k] {
            throw error("invalid literal")
        }
        i += count
        append(node)
    }

    @inline(__always)
    private func isDigit(_ k: Int) -> Bool {
        k < p.count && p[k] &- UInt8(ascii: "0") < 10
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(JSONTree.SyntaxError) {
        let start = i
        var flags = JSONTree.Node.isInteger
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw error("invalid number") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw error("leading zero in number") }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < p.count, p[i] == UInt8(ascii: ".") {
            flags = 0
            i += 1
            guard isDigit(i) else { throw error("invalid number: no digits after '.'") }
            while isDigit(i) { i += 1 }
        }
        if i < p.count, p[i] | 0x20 == UInt8(ascii: "e") {
            flags = 0
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw error("invalid number: no digits in exponent") }
            while isDigit(i) { i += 1 }
        }
        append(JSONTree.Node(kind: .number, flags: flags, a: UInt32(start), b: UInt32(i - start)))
    }

    /// A string; `p[i]` is its opening quote.
    private mutating func string() throws(JSONTree.SyntaxError) {
        i += 1
        let start = i
        var flags: UInt8 = 0
        // Eight bytes at a time while none of them needs a look: a quote, a backslash, a
        // control character or a byte of a multi-byte sequence.
        if let base = p.baseAddress {
            while p.count - i >= 8 {
                let mask = Self.lookMask(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
                if mask == 0 {
                    i += 8
                } else {
                    i += mask.trailingZeroBitCount >> 3  // the first byte that needs a look
                    break
                }
            }
        }
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                append(JSONTree.Node(kind: .string, flags: flags, a: UInt32(start), b: UInt32(i - start)))
                i += 1
                return
            }
            if c == UInt8(ascii: "\\") { return try escapedString(start: start, flags: flags) }
            if c < 0x20 { throw error("control character in string") }
            if c < 0x80 {
                i += 1
            } else {
                flags |= JSONTree.Node.nonASCII
                try utf8Sequence()
            }
        }
        throw error("unterminated string")
    }

    /// The high bits of the bytes of `word` (little-endian: first byte lowest) that are a
    /// quote, a backslash, below 0x20 or above 0x7F. Bytes above the first such byte may be
    /// marked wrongly (borrows), the first never is: only its position is used.
    @inline(__always)
    private static func lookMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    /// The rest of a string that has escapes, from the first backslash on: its text is
    /// written to `strings` with the escapes resolved.
    private mutating func escapedString(start: Int, flags: UInt8) throws(JSONTree.SyntaxError) {
        var flags = flags | JSONTree.Node.escaped
        let offset = strings.count
        guard offset < Int(UInt32.max) - p.count else { throw error("document too large") }
        strings.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
        while i < p.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: "\""):
                append(JSONTree.Node(kind: .string, flags: flags, a: UInt32(offset), b: UInt32(strings.count - offset)))
                i += 1
                return
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count else { throw error("unterminated string") }
                let escape = p[i + 1]
                i += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): strings.append(escape)
                case UInt8(ascii: "b"): strings.append(0x08)
                case UInt8(ascii: "f"): strings.append(0x0C)
                case UInt8(ascii: "n"): strings.append(0x0A)
                case UInt8(ascii: "r"): strings.append(0x0D)
                case UInt8(ascii: "t"): strings.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xDC00...0xDFFF).contains(scalar) { throw error("lone low surrogate in \\u escape") }
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 1 < p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                            throw error("high surrogate not followed by a low surrogate")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("high surrogate not followed by a low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    if scalar >= 0x80 { flags |= JSONTree.Node.nonASCII }
                    appendUTF8(scalar)
                default:
                    i -= 1
                    throw error("invalid escape '\\\(Unicode.Scalar(escape).escaped(asASCII: true))'")
                }
            default:
                if c < 0x20 { throw error("control character in string") }
                if c < 0x80 {
                    strings.append(c)
                    i += 1
                } else {
                    flags |= JSONTree.Node.nonASCII
                    let first = i
                    try utf8Sequence()
                    strings.append(contentsOf: UnsafeBufferPointer(rebasing: p[first..<i]))
                }
            }
        }
        throw error("unterminated string")
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hex4() throws(JSONTree.SyntaxError) -> UInt32 {
        guard p.count - i >= 4 else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            strings.append(UInt8(scalar))
        case ..<0x800:
            strings.append(UInt8(0xC0 | scalar >> 6))
            strings.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            strings.append(UInt8(0xE0 | scalar >> 12))
            strings.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            strings.append(UInt8(0x80 | scalar & 0x3F))
        default:
            strings.append(UInt8(0xF0 | scalar >> 18))
            strings.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            strings.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            strings.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// One well-formed UTF-8 sequence of two to four bytes at `p[i]` (Unicode table 3-7).
    private mutating func utf8Sequence() throws(JSONTree.SyntaxError) {
        let lead = p[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // range of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8")
        }
        guard p.count - i >= length, (low...high).contains(p[i + 1]) else { throw error("invalid UTF-8") }
        for k in 2..<max(2, length) where p[i + k] & 0xC0 != 0x80 {
            throw error("invalid UTF-8")
        }
        i += length
    }
}
