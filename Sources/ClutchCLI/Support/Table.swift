/// An aligned text table for people. Cells may carry ANSI colours; widths count visible
/// characters only.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) {
        self.header = header
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines, columns separated by two spaces; the last column is not padded.
    /// With `width`, the columns in `wrap` (plain text, no colours) are narrowed, widest first
    /// and to no less than ``minimumWrapWidth``, until a line fits, and their cells wrapped at
    /// spaces (a longer word is cut) onto as many lines as they need.
    func render(width: Int? = nil, wrap: Set<Int> = []) -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], Table.visibleWidth(cell)) }
        }
        if let width {
            let gaps = 2 * max(0, columns - 1)
            while widths.reduce(gaps, +) > width,
                let widest = wrap.filter({ $0 < columns && widths[$0] > Self.minimumWrapWidth }).max(by: { widths[$0] < widths[$1] })
            {
                widths[widest] -= 1
            }
        }
        var out = ""
        for (r, row) in all.enumerated() {
            let cells = row.enumerated().map { i, cell in
                wrap.contains(i) && Table.visibleWidth(cell) > widths[i] ? Table.wrapped(cell, width: widths[i]) : [cell]
            }
            for l in 0..<(cells.map(\.count).max() ?? 0) {
                var line = ""
                for (i, lines) in cells.enumerated() {
                    let cell = l < lines.count ? lines[l] : ""
                    line += r == 0 ? Style.bold(cell) : cell
                    if i < row.count - 1 {
                        line += String(repeating: " ", count: max(0, widths[i] - Table.visibleWidth(cell)) + 2)
                    }
                }
                out += line + "\n"
            }
        }
        return out
    }

    /// The narrowest a wrapped column gets.
    static let minimumWrapWidth = 10

    /// `text` (plain) in lines of at most `width` characters, broken at spaces; a word longer
    /// than a line is cut.
    static func wrapped(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if !line.isEmpty, line.count + 1 + word.count <= width {
                line += " " + word
                continue
            }
            if !line.isEmpty { lines.append(line) }
            while word.count > width {
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            line = String(word)
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Characters shown on screen: ANSI escape sequences take no room.
    static func visibleWidth(_ s: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in s.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
