extension Heatmap {
    /// Where the parts of the labelled PNG go, in pixels at scale 1 (multiply by the scale for the file).
    public struct PNGLayout: Sendable, Equatable {
        /// The whole picture's size.
        public let width: Int, height: Int
        /// The top-left corner of cell (0, 0); cell (i, j) starts `cellSize` · (j, i) further.
        public let gridX: Int, gridY: Int
        /// The side of one cell.
        public let cellSize: Int
        /// The colour bar: top-left corner and size.
        public let barX: Int, barY: Int, barWidth: Int, barHeight: Int
        /// Whether values are written in the cells.
        public let showsValues: Bool
    }

    /// Labels longer than this many pixels are cut with "…" in the PNG (the SVG and HTML keep them whole).
    static let longestPNGLabel = 240

    /// The layout `labelledPNGData` draws: the SVG's, in whole pixels — the title on top (bold), column labels above
    /// the grid reading upwards, row labels right-aligned on its left, values in the cells when they fit, the colour
    /// bar on the right with ticks at both ends and the middle.
    public func pngLayout(cellSize: Int = 24, showValues: Bool? = nil) -> PNGLayout {
        let font = BitmapFont.text, digits = BitmapFont.digits
        let pad = 8
        let rowLabelWidth = rowLabels.isEmpty ? 0
            : rowLabels.map { font.width(of: font.truncated($0, toWidth: Self.longestPNGLabel)) }.max()! + 6
        let columnReach = columnLabels.isEmpty ? 0
            : columnLabels.map { font.width(of: font.truncated($0, toWidth: Self.longestPNGLabel)) }.max()! + 4
        let titleHeight = title == nil ? 0 : font.height + 8
        let gridX = pad + rowLabelWidth, gridY = pad + titleHeight + columnReach
        let gridWidth = columns * cellSize, gridHeight = rows * cellSize
        let barX = gridX + gridWidth + 16, barWidth = 14, barHeight = Swift.max(gridHeight, 96)
        let tickWidth = tickLabels.map { font.width(of: $0) }.max()! + 10
        let titleWidth = title.map { font.width(of: $0) + font.scalars(of: $0).count } ?? 0
        let width = Swift.max(barX + barWidth + tickWidth, pad + titleWidth) + pad
        let height = gridY + Swift.max(gridHeight, barHeight) + font.height / 2 + pad
        let widest = digits.width(of: "0.00")
        let fits = showValues ?? (cellSize >= widest + 3 && cellSize >= digits.height + 2)
        return PNGLayout(width: width, height: height, gridX: gridX, gridY: gridY, cellSize: cellSize, barX: barX,
                         barY: gridY, barWidth: barWidth, barHeight: barHeight, showsValues: fits)
    }

    var tickLabels: [String] {
        [range.upperBound, (range.lowerBound + range.upperBound) / 2, range.lowerBound].map(Markup.short)
    }

    /// The heatmap as a PNG a person can read on its own: the layout of the SVG (``pngLayout(cellSize:showValues:)``)
    /// drawn with the bitmap font (``BitmapFont``: Latin, Greek and Cyrillic; other characters show as boxes — the
    /// SVG and HTML draw every script), at `scale` × the pixel density (each pixel `scale` × `scale`).
    ///
    /// ```swift
    /// let png = try Heatmap([[0.3619, 0.3805, 0.2576]], rowLabels: ["s0"],
    ///                       columnLabels: ["Bonjour", "le", "monde"], title: "dot-product attention")
    ///     .labelledPNGData(cellSize: 32, scale: 2)
    /// ```
    /// - Throws: `HeatmapError.invalidCellSize` (< 1), `.invalidScale` (outside 1…8), `.imageTooLarge`.
    public func labelledPNGData(cellSize: Int = 24, scale: Int = 1, showValues: Bool? = nil) throws(HeatmapError) -> [UInt8] {
        try labelledRaster(cellSize: cellSize, scale: scale, showValues: showValues).pngData()
    }

    /// The labelled picture as pixels (what `labelledPNGData` encodes).
    public func labelledRaster(cellSize: Int = 24, scale: Int = 1, showValues: Bool? = nil) throws(HeatmapError) -> RasterImage {
        guard cellSize >= 1 else { throw .invalidCellSize(cellSize) }
        guard (1...8).contains(scale) else { throw .invalidScale(scale) }
        // The size check comes before any allocation: cells × cellSize can overflow or ask for gigabytes.
        let (gw, o1) = columns.multipliedReportingOverflow(by: cellSize)
        let (gh, o2) = rows.multipliedReportingOverflow(by: cellSize)
        guard !o1, !o2, gw < 1 << 20, gh < 1 << 20 else {
            throw .imageTooLarge(width: gw, height: gh, limit: PNGEncoder.maxImageBytes)
        }
        let l = pngLayout(cellSize: cellSize, showValues: showValues)
        guard (l.width * scale) * (l.height * scale) * 3 <= PNGEncoder.maxImageBytes else {
            throw .imageTooLarge(width: l.width * scale, height: l.height * scale, limit: PNGEncoder.maxImageBytes)
        }
        let font = BitmapFont.text, digits = BitmapFont.digits
        let ink = RGB8(0x22, 0x22, 0x22), white = RGB8(255, 255, 255), black = RGB8(0, 0, 0)
        var image = RasterImage(width: l.width, height: l.height, background: white)
        if let title { image.draw(title, x: 8, y: 8, font: font, color: ink, bold: true) }
        for (j, label) in columnLabels.enumerated() {
            let text = font.truncated(label, toWidth: Self.longestPNGLabel)
            // Upward text: its line's top sits at x, so centre the line height on the column.
            let x = l.gridX + j * cellSize + (cellSize - font.height) / 2 + 1
            image.draw(text, x: x, y: l.gridY - 5, font: font, color: ink, direction: .upward)
        }
        for (i, label) in rowLabels.enumerated() {
            let text = font.truncated(label, toWidth: Self.longestPNGLabel)
            let y = l.gridY + i * cellSize + (cellSize - font.height) / 2 + 1
            image.draw(text, x: l.gridX - 6 - font.width(of: text), y: y, font: font, color: ink)
        }
        for i in 0..<rows {
            for j in 0..<columns {
                let fill = color(row: i, column: j), x = l.gridX + j * cellSize, y = l.gridY + i * cellSize
                image.fill(x: x, y: y, width: cellSize, height: cellSize, color: fill)
                guard l.showsValues else { continue }
                let text = Markup.fixed(values[i][j], 2)
                let w = digits.width(of: text)
                image.draw(text, x: x + (cellSize - w) / 2, y: y + (cellSize - digits.height) / 2 + 1, font: digits,
                           color: fill.relativeLuminance > 0.18 ? black : white)
            }
        }
        // The colour bar: light (upper bound) on top, one row of pixels per colour step.
        for k in 0..<l.barHeight {
            let t = 1 - (Double(k) + 0.5) / Double(l.barHeight)
            image.fill(x: l.barX, y: l.barY + k, width: l.barWidth, height: 1, color: colorMap.color(at: t))
        }
        image.stroke(x: l.barX - 1, y: l.barY - 1, width: l.barWidth + 2, height: l.barHeight + 2, color: RGB8(0x55, 0x55, 0x55))
        for (k, label) in tickLabels.enumerated() {
            let ty = l.barY + k * (l.barHeight - 1) / 2
            image.fill(x: l.barX + l.barWidth + 1, y: ty, width: 3, height: 1, color: ink)
            // A gap after the tick mark, so that "1" next to it does not read as "-1".
            image.draw(label, x: l.barX + l.barWidth + 8, y: ty - font.ascent / 2 - 2, font: font, color: ink)
        }
        return image.scaled(by: scale)
    }
}
