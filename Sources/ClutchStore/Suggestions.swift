/// "Did you mean" for keys that do not exist: the known keys closest to a misspelt one.
enum Suggestions {
    /// Up to three of `known` within a small edit distance of `key` (or sharing its start),
    /// closest first.
    static func closest(to key: String, in known: [String]) -> [String] {
        let limit = max(2, key.count / 3)
        let scored = known.compactMap { candidate -> (String, Int)? in
            let distance = editDistance(Array(key.utf8), Array(candidate.utf8), limit: limit)
            if let distance { return (candidate, distance) }
            if key.count >= 3, candidate.hasPrefix(key) || key.hasPrefix(candidate) { return (candidate, limit + 1) }
            return nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
    }

    /// Levenshtein distance, or `nil` once it must exceed `limit` (keys are at most 128 bytes).
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int? {
        if abs(a.count - b.count) > limit { return nil }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            var best = current[0]
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
                best = min(best, current[j + 1])
            }
            if best > limit { return nil }
            previous = current
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }

    /// ` Did you mean 'a' or 'b'?`, or nothing.
    static func phrase(_ suggestions: [String]) -> String {
        guard !suggestions.isEmpty else { return "" }
        let quoted = suggestions.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1]
        return "; did you mean \(list)?"
    }
}
