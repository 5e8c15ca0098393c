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
    func render() -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], Table.visibleWidth(cell)) }
        }
        var out = ""
        for (r, row) in all.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() {
                let text = r == 0 ? Style.bold(cell) : cell
                line += text
                if i < row.count - 1 {
                    line += String(repeating: " ", count: widths[i] - Table.visibleWidth(cell) + 2)
                }
            }
            out += line + "\n"
        }
        return out
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
