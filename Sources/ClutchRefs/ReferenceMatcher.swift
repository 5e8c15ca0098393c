/// Finds every flag reference in a file's bytes in one pass: an Aho–Corasick automaton over all
/// the names at once (flag keys, generated accessor names, `.clutch/refs.yaml` aliases), as a
/// dense table over byte classes, so the time per file is proportional to its length whatever
/// the number of flags.
///
/// What counts as a reference, checked at each candidate the automaton finds:
/// - a **key** as a whole string literal: between two of the same quote (`"key"`, `'key'`,
///   `` `key` ``), so `"new-checkout"` is not a reference of `checkout`, nor
///   `"new-checkout-v2"` one of `new-checkout`. Comments count: a key quoted there is a reference.
/// - a **generated accessor** as a member: `.newCheckout` not followed by a letter, digit or `_`.
/// - an **alias** (refs.yaml) as a whole word: no letter, digit, `_` or `$` on either side.
///
/// The bytes need not be UTF-8: names are matched as bytes.
public struct ReferenceMatcher: Sendable {
    /// A name to look for and whose flag it is.
    public struct Name: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// The flag's key, as a quoted literal.
            case key
            /// A generated accessor, called as a member (`flags.newCheckout(for:)`).
            case accessor
            /// A name from `.clutch/refs.yaml`, as a whole word.
            case alias
        }

        public var text: String
        public var flag: String
        public var kind: Kind

        public init(_ text: String, flag: String, kind: Kind) {
            self.text = text
            self.flag = flag
            self.kind = kind
        }
    }

    /// One reference found: which name, and where its first byte is.
    public struct Match: Sendable, Hashable {
        /// Index into ``names``.
        public var name: Int
        public var start: Int
    }

    public let names: [Name]
    private let lengths: [Int32]
    /// Byte → its class (0: a byte no name contains).
    private let classes: [UInt16]
    private let classCount: Int
    /// State × class → next state.
    private let next: [Int32]
    /// The names ending in each state (its own and, through suffix links, shorter ones), as a
    /// range of ``outputList``; empty for most states.
    private let outputStart: [Int32]
    private let outputList: [Int32]

    public init(names: [Name]) {
        let names = names.filter { !$0.text.isEmpty }
        self.names = names
        lengths = names.map { Int32($0.text.utf8.count) }
        var classes = [UInt16](repeating: 0, count: 256)
        var classCount = 1
        for name in names {
            for byte in name.text.utf8 where classes[Int(byte)] == 0 {
                classes[Int(byte)] = UInt16(classCount)
                classCount += 1
            }
        }
        self.classes = classes
        self.classCount = classCount

        // The trie, with -1 for "no edge".
        var edges: [Int32] = Array(repeating: -1, count: classCount)
        var own: [[Int32]] = [[]]
        for (index, name) in names.enumerated() {
            var state = 0
            for byte in name.text.utf8 {
                let slot = state * classCount + Int(classes[Int(byte)])
                if edges[slot] < 0 {
                    edges[slot] = Int32(own.count)
                    own.append([])
                    edges.append(contentsOf: repeatElement(-1, count: classCount))
                }
                state = Int(edges[slot])
            }
            own[state].append(Int32(index))
        }
        // Breadth first: each state's failure link, and the missing edges filled from it (a DFA).
        let stateCount = own.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var outputs = own
        var queue: [Int] = []
        for symbol in 0..<classCount {
            if edges[symbol] < 0 {
                edges[symbol] = 0
            } else {
                queue.append(Int(edges[symbol]))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputs[state] += outputs[Int(fail[state])]
            for symbol in 0..<classCount {
                let slot = state * classCount + symbol
                let target = edges[slot]
                let fallback = edges[Int(fail[state]) * classCount + symbol]
                if target < 0 {
                    edges[slot] = fallback
                } else {
                    fail[Int(target)] = fallback
                    queue.append(Int(target))
                }
            }
        }
        next = edges
        var starts: [Int32] = []
        var list: [Int32] = []
        starts.reserveCapacity(stateCount + 1)
        for state in 0..<stateCount {
            starts.append(Int32(list.count))
            list += outputs[state]
        }
        starts.append(Int32(list.count))
        outputStart = starts
        outputList = list
    }

    /// Every reference in `bytes`, in order of where each ends.
    public func matches(in bytes: UnsafeBufferPointer<UInt8>) -> [Match] {
        var found: [Match] = []
        guard !names.isEmpty else { return found }
        next.withUnsafeBufferPointer { next in
            classes.withUnsafeBufferPointer { classes in
                outputStart.withUnsafeBufferPointer { outputStart in
                    var state = 0
                    for position in 0..<bytes.count {
                        state = Int(next[state &* classCount &+ Int(classes[Int(bytes[position])])])
                        let first = Int(outputStart[state])
                        let end = Int(outputStart[state &+ 1])
                        if first == end { continue }
                        for output in first..<end {
                            let name = Int(outputList[output])
                            let start = position + 1 - Int(lengths[name])
                            if Self.delimited(names[name].kind, bytes, start: start, end: position + 1) {
                                found.append(Match(name: name, start: start))
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    /// Whether the name at `start..<end` stands as its kind requires.
    static func delimited(_ kind: Name.Kind, _ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Bool {
        let before: UInt8? = start > 0 ? bytes[start - 1] : nil
        let after: UInt8? = end < bytes.count ? bytes[end] : nil
        switch kind {
        case .key:
            guard let before, let after, before == after else { return false }
            return before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || before == UInt8(ascii: "`")
        case .accessor:
            return before == UInt8(ascii: ".") && !(after.map(isWordByte) ?? false)
        case .alias:
            return !(before.map(isWordByte) ?? false) && !(after.map(isWordByte) ?? false)
        }
    }

    /// A letter, digit, `_` or `$` (identifiers in the languages scanned), or any byte of a
    /// non-ASCII character (an identifier may continue with one).
    static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "$"), 0x80...:
            true
        default: false
        }
    }
}
