extension Heatmap {
    /// The characters of the ASCII ramp, from the lowest value (a space) to the highest (`@`).
    public static let asciiRamp: [Character] = Array(" .:-=+*#%@")

    /// The heatmap as terminal text: an optional title line, one line per row, then a key line and a range line.
    ///
    /// Each row starts with its label, left-aligned and padded to the longest label (labels are measured in
    /// characters, so very wide glyphs such as CJK may misalign). Each cell is two characters wide (terminal cells are
    /// about twice as tall as wide, so two make a square):
    /// - `ansi: true`: two spaces on a 24-bit background colour (`ESC[48;2;r;g;bm`), reset at the end of each row;
    /// - `ansi: false`: two copies of the `asciiRamp` character at the value's position, `round(t · 9)`, so the bottom
    ///   of the range prints as spaces and the top as `@@`.
    ///
    /// The line after the rows names the columns (when labelled), the last line gives the range and the extremes.
    /// Control characters in labels and title print as U+FFFD: a label never emits its own escape sequence.
    ///
    /// ```swift
    /// print(try Heatmap([[0.3619, 0.3805, 0.2576]], rowLabels: ["s0"]).terminal(ansi: true))
    /// ```
    public func terminal(ansi: Bool = false) -> String {
        let labels = rowLabels.map(Markup.printable)
        let width = labels.map(\.count).max() ?? 0
        var lines: [String] = []
        if let title { lines.append(Markup.printable(title)) }
        for i in 0..<rows {
            var line = ""
            if !labels.isEmpty {
                let label = labels[i]
                line += label + String(repeating: " ", count: width - label.count) + " "
            }
            for j in 0..<columns {
                if ansi {
                    let c = color(row: i, column: j)
                    line += "\u{1B}[48;2;\(c.red);\(c.green);\(c.blue)m  "
                } else {
                    let k = Int((position(of: values[i][j]) * Double(Heatmap.asciiRamp.count - 1)).rounded())
                    line += String(repeating: Heatmap.asciiRamp[k], count: 2)
                }
            }
            if ansi { line += "\u{1B}[0m" }
            lines.append(line)
        }
        if !columnLabels.isEmpty {
            lines.append("columns: " + columnLabels.map(Markup.printable).joined(separator: " | "))
        }
        let flat = values.flatMap { $0 }
        lines.append("range \(Markup.short(range.lowerBound))…\(Markup.short(range.upperBound)) "
            + "(min \(Markup.fixed(flat.min() ?? 0, 4)), max \(Markup.fixed(flat.max() ?? 0, 4)))")
        return lines.joined(separator: "\n") + "\n"
    }
}
