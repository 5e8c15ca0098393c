/// String comparisons by UTF-8 bytes, the way Go, JavaScript, Python, SQLite's `BINARY`
/// collation and bucketing's hash see strings. Swift's `String ==`, `hasPrefix` and `contains`
/// use canonical equivalence (an NFC "é" equals its NFD spelling, and an NFD "é" does not start
/// with "e"), so a rule would otherwise match where every other OpenFeature implementation does
/// not.
enum UTF8Bytes {
    /// Runs `body` over `text`'s UTF-8 bytes without copying them (native strings, small ones
    /// included, are contiguous; the copy is for the rare bridged one).
    @inline(__always)
    static func with<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Whether `a` and `b` are the same bytes.
    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool {
        // Counting is O(1) for native strings and settles most unequal pairs.
        guard a.utf8.count == b.utf8.count else { return false }
        return with(a) { x in with(b) { y in same(x, y) } }
    }

    /// Whether two buffers of equal length hold the same bytes.
    @inline(__always)
    static func same(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        var i = 0
        while i < x.count {
            if x[i] != y[i] { return false }
            i += 1
        }
        return true
    }
}

/// A string whose equality and hash are its UTF-8 bytes, for sets keyed by text that must
/// keep two spellings Swift calls equal (NFC and NFD) apart — a cohort's members, as the store
/// keeps them.
struct ExactString: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactString, b: ExactString) -> Bool { UTF8Bytes.equal(a.text, b.text) }

    func hash(into hasher: inout Hasher) {
        UTF8Bytes.with(text) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// A compiled string operand of `startsWith`, `endsWith` or `contains`: its bytes, and for
/// `contains` the Knuth–Morris–Pratt failure table, so that a search costs at most twice the
/// length of the context's string whatever the two strings hold (a context string may be
/// 128 KiB; a naive search could cost that times the operand's length).
struct BytePattern: Sendable {
    let text: String
    let bytes: [UInt8]
    /// `failure[i]`: the length of the longest proper prefix of `bytes[...i]` that is also
    /// its suffix. Empty unless the pattern was built for searching.
    private let failure: [Int32]

    init(_ text: String, searchable: Bool = false) {
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        guard searchable, !bytes.isEmpty else {
            failure = []
            return
        }
        var failure = [Int32](repeating: 0, count: bytes.count)
        var k = 0
        for i in 1..<bytes.count {
            while k > 0, bytes[i] != bytes[k] { k = Int(failure[k - 1]) }
            if bytes[i] == bytes[k] { k += 1 }
            failure[i] = Int32(k)
        }
        self.failure = failure
    }

    /// Whether `haystack` begins with these bytes.
    @inline(__always)
    func isPrefix(of haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count <= haystack.count else { return false }
        return bytes.withUnsafeBufferPointer { UTF8Bytes.same($0, UnsafeBufferPointer(rebasing: haystack[..<$0.count])) }
    }

    /// Whether `haystack` ends with these bytes.
    @inline(__always)
    func isSuffix(of haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count <= haystack.count else { return false }
        return bytes.withUnsafeBufferPointer {
            UTF8Bytes.same($0, UnsafeBufferPointer(rebasing: haystack[(haystack.count - $0.count)...]))
        }
    }

    /// Whether these bytes occur anywhere in `haystack` (a pattern built `searchable`).
    func occurs(in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = bytes.count
        if m == 0 { return true }
        guard m <= haystack.count, failure.count == m else { return false }
        return bytes.withUnsafeBufferPointer { pattern in
            failure.withUnsafeBufferPointer { failure in
                var k = 0
                for byte in haystack {
                    while k > 0, pattern[k] != byte { k = Int(failure[k - 1]) }
                    if pattern[k] == byte {
                        k += 1
                        if k == m { return true }
                    }
                }
                return false
            }
        }
    }
}
