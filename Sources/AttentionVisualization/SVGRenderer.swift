import Foundation
// TensorCore's `precondition` keeps its message in optimised builds.
import AttentionTensorCore

/// Text helpers shared by the SVG, HTML and terminal renderers.
enum Markup {
    /// `text` made safe inside XML/HTML text and attribute values: `& < > " '` become entities, and the control
    /// characters XML 1.0 forbids (U+0000–U+001F except tab, line feed, carriage return) become U+FFFD, since no
    /// escape can represent them in a well-formed document.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with every control character (C0, DEL, C1) replaced by U+FFFD, so a label cannot move the cursor,
    /// break a line or start an escape sequence in a terminal.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// `value` with exactly `digits` decimals ("0.3619"); −0 prints as 0.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        let s = String(format: "%.\(digits)f", value)
        let zero = String(format: "%.\(digits)f", 0.0)
        return s == "-" + zero ? zero : s
    }

    /// `value` with up to 4 significant decimals and no trailing zeros ("1", "0.5", "0.3619"), for axis ticks.
    static func short(_ value: Double) -> String {
        var s = fixed(value, 4)
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

extension Heatmap {
    /// The tooltip of a cell: "query → key: 0.3619" (labels, or "row i" / "column j" without labels; 4 decimals).
    public func tooltip(row: Int, column: Int) -> String {
        checkCell(row, column)
        return "\(rowName(row)) → \(columnName(column)): \(Markup.fixed(values[row][column], 4))"
    }

    /// The heatmap as a self-contained SVG document (no external fonts, styles or scripts).
    ///
    /// Layout: the title on top; column labels (keys) above the grid, rotated −45°; row labels (queries) left of it;
    /// one `<rect class="cell">` per value, with a `<title>` tooltip "query → key: 0.3619"; a colour bar on the right
    /// with the range's ends and middle. All text is XML-escaped.
    ///
    /// - Parameters:
    ///   - cellSize: the side of a cell in SVG user units (≥ 1).
    ///   - showValues: write each value (2 decimals) inside its cell; nil means "when the grid is at most 12 × 12 and
    ///     cells are at least 18 units", where the numbers still fit and stay readable.
    ///
    /// ```swift
    /// let svg = try Heatmap([[0.3619, 0.3805, 0.2576]], rowLabels: ["s0"],
    ///                       columnLabels: ["Bonjour", "le", "monde"]).svg()
    /// ```
    public func svg(cellSize: Int = 24, showValues: Bool? = nil) -> String {
        svg(cellSize: cellSize, showValues: showValues, drawsTitle: true)
    }

    /// The SVG with or without its visible title (`html` shows the title as its heading, once); the `<title>`
    /// element for screen readers and tooltips stays either way.
    func svg(cellSize: Int, showValues: Bool?, drawsTitle: Bool) -> String {
        precondition(cellSize >= 1, "Heatmap.svg: cell size \(cellSize), expected at least 1")
        let c = Double(cellSize)
        let font = 12.0, charWidth = 7.2, pad = 8.0
        let diagonal = 0.7071
        let longestRow = rowLabels.map(\.count).max() ?? 0
        let longestColumn = columnLabels.map(\.count).max() ?? 0
        let shownTitle = drawsTitle ? title : nil
        let titleHeight = shownTitle == nil ? 0 : 28.0
        let rowLabelWidth = rowLabels.isEmpty ? 0 : Double(longestRow) * charWidth + pad
        // A label rotated −45° rises and reaches right by its length × sin 45°.
        let columnLabelReach = columnLabels.isEmpty ? 0 : Double(longestColumn) * charWidth * diagonal + font
        let gridX = pad + rowLabelWidth
        let gridY = pad + titleHeight + columnLabelReach + (columnLabels.isEmpty ? 0 : 4)
        let gridWidth = Double(columns) * c, gridHeight = Double(rows) * c
        let barX = gridX + gridWidth + 16, barWidth = 14.0, barHeight = Swift.max(gridHeight, 96)
        let tickLabels = [range.upperBound, (range.lowerBound + range.upperBound) / 2, range.lowerBound].map(Markup.short)
        let tickWidth = Double(tickLabels.map(\.count).max() ?? 1) * charWidth
        let titleWidth = shownTitle.map { Self.estimatedWidth($0, fontSize: 16) } ?? 0
        let width = Swift.max(barX + barWidth + 6 + tickWidth, gridX + gridWidth + columnLabelReach, pad + titleWidth) + pad
        let height = gridY + Swift.max(gridHeight, barHeight) + pad
        let writeValues = showValues ?? (rows <= 12 && columns <= 12 && cellSize >= 18)

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="sans-serif" font-size="\(n(font))" role="img">

        """
        if let title { s += "<title>\(Markup.escape(title))</title>\n" }
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        if let shownTitle {
            // textLength makes the renderer fit the title into the width reserved for it, whatever the font: an
            // estimate alone clipped long titles in fonts wider than it.
            s += "<text x=\"\(n(pad))\" y=\"\(n(pad + 18))\" font-size=\"16\" font-weight=\"bold\" "
            s += "textLength=\"\(n(titleWidth))\" lengthAdjust=\"spacingAndGlyphs\">\(Markup.escape(shownTitle))</text>\n"
        }
        for (j, label) in columnLabels.enumerated() {
            let x = gridX + (Double(j) + 0.5) * c, y = gridY - 4
            s += "<text class=\"column-label\" x=\"\(n(x))\" y=\"\(n(y))\" transform=\"rotate(-45 \(n(x)) \(n(y)))\">"
            s += "\(Markup.escape(label))</text>\n"
        }
        for (i, label) in rowLabels.enumerated() {
            let y = gridY + (Double(i) + 0.5) * c
            s += "<text class=\"row-label\" x=\"\(n(gridX - 6))\" y=\"\(n(y))\" text-anchor=\"end\" "
            s += "dominant-baseline=\"central\">\(Markup.escape(label))</text>\n"
        }
        let valueFont = Swift.min(11, c * 0.42)
        for i in 0..<rows {
            for j in 0..<columns {
                let x = gridX + Double(j) * c, y = gridY + Double(i) * c
                let fill = color(row: i, column: j)
                s += "<rect class=\"cell\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(c))\" height=\"\(n(c))\" "
                s += "fill=\"\(fill.hex)\"><title>\(Markup.escape(tooltip(row: i, column: j)))</title></rect>\n"
                if writeValues {
                    // Black or white, whichever contrasts more (WCAG): they tie at luminance ≈ 0.18.
                    let ink = fill.relativeLuminance > 0.18 ? "#000000" : "#ffffff"
                    s += "<text class=\"value\" x=\"\(n(x + c / 2))\" y=\"\(n(y + c / 2))\" text-anchor=\"middle\" "
                    s += "dominant-baseline=\"central\" font-size=\"\(n(valueFont))\" fill=\"\(ink)\" "
                    s += "pointer-events=\"none\">\(Markup.fixed(self.values[i][j], 2))</text>\n"
                }
            }
        }
        s += colorBar(x: barX, y: gridY, width: barWidth, height: barHeight, ticks: tickLabels)
        s += "</svg>\n"
        return s
    }

    /// The width of `text` in a bold sans-serif at `fontSize`: 0.62 em per character, a full em for the wide
    /// characters of East Asian scripts and emoji.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
                                           0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD]
        return text.reduce(0) { sum, ch in
            let v = ch.unicodeScalars.first!.value
            return sum + fontSize * (wide.contains { $0.contains(v) } ? 1.0 : 0.62)
        }
    }

    /// A vertical colour bar, light (upper bound) on top, with three tick labels on its right.
    private func colorBar(x: Double, y: Double, width: Double, height: Double, ticks: [String]) -> String {
        let steps = 64
        let step = height / Double(steps)
        var s = "<g class=\"legend\">\n"
        for k in 0..<steps {
            // Each band shows the colour at its centre; slight overlap hides anti-aliasing seams between bands.
            let t = 1 - (Double(k) + 0.5) / Double(steps)
            s += "<rect class=\"legend\" x=\"\(n(x))\" y=\"\(n(y + Double(k) * step))\" width=\"\(n(width))\" "
            s += "height=\"\(n(step + 0.5))\" fill=\"\(colorMap.color(at: t).hex)\"/>\n"
        }
        s += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"none\" "
        s += "stroke=\"#555555\" stroke-width=\"0.5\"/>\n"
        for (k, label) in ticks.enumerated() {
            let ty = y + Double(k) * height / 2
            s += "<text x=\"\(n(x + width + 4))\" y=\"\(n(ty))\" dominant-baseline=\"central\" font-size=\"10\">"
            s += "\(label)</text>\n"
        }
        s += "</g>\n"
        return s
    }

    /// A coordinate with at most 2 decimals, no trailing zeros.
    private func n(_ v: Double) -> String {
        var s = Markup.fixed(v, 2)
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
