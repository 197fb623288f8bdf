import AttentionTensorCore

/// A matrix of values to draw as coloured cells: rows are queries, columns are keys, each cell one attention weight.
///
/// A heatmap is validated once, when it is made: rectangular, at least 1 × 1, every value finite (NaN never renders
/// silently), label counts equal to the row and column counts (or no labels), a colour range with lower < upper.
/// After that every renderer (`pngData`, `svg`, `html`, `terminal`, `write(to:)`) works without further checks.
///
/// The colour of a value `v` is `colorMap.color(at: (v − range.lowerBound) / (range.upperBound − range.lowerBound))`,
/// clamped at both ends. The default range is `min(0, smallest)…max(1, largest)`: for attention weights (all in
/// [0, 1]) that is 0…1, so pictures of different rows, heads or layers share one scale.
///
/// ```swift
/// // Seed 001: decoder state s0 attending over three French encoder states.
/// let map = try Heatmap([[0.3619, 0.3805, 0.2576]],
///                       rowLabels: ["s0"], columnLabels: ["Bonjour", "le", "monde"],
///                       title: "Dot-product attention")
/// print(map.terminal())
/// try map.write(to: URL(fileURLWithPath: "alignment.svg"))
/// ```
public struct Heatmap: Sendable {
    /// The values, `rows` arrays of `columns` finite numbers each.
    public let values: [[Double]]
    /// One label per row (the queries), or none.
    public let rowLabels: [String]
    /// One label per column (the keys), or none.
    public let columnLabels: [String]
    /// A title shown above the picture (SVG, HTML, terminal), or nil.
    public var title: String?
    /// The values mapped to the two ends of the colour map; values outside are clamped.
    public let range: ClosedRange<Double>
    /// The colour map, dark for `range.lowerBound` and light for `range.upperBound`.
    public var colorMap: ColorMap
    /// The text under the HTML picture, or nil for ``defaultCaption`` (which reads the rows as queries and the
    /// columns as keys: pictures that stack something else, such as a spectrogram, say what they show here).
    public var caption: String? = nil

    /// The number of rows (queries).
    public var rows: Int { values.count }
    /// The number of columns (keys).
    public var columns: Int { values[0].count }

    /// A heatmap of `values` (`rows` arrays of equal length).
    ///
    /// - Parameters:
    ///   - values: rows × columns finite numbers, at least 1 × 1.
    ///   - rowLabels: one per row, or empty for none.
    ///   - columnLabels: one per column, or empty for none.
    ///   - title: shown above the picture.
    ///   - range: the values at the dark and light ends; nil for `min(0, smallest)…max(1, largest)`.
    ///   - colorMap: `.attention` (default) or `.grey`.
    /// - Throws: `HeatmapError` naming the first problem found (empty, ragged row, non-finite value, label count,
    ///   invalid range).
    public init(_ values: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [], title: String? = nil,
                range: ClosedRange<Double>? = nil, colorMap: ColorMap = .attention) throws(HeatmapError) {
        guard let first = values.first, !first.isEmpty else {
            throw .empty(rows: values.count, columns: values.first?.count ?? 0)
        }
        var smallest = Double.infinity, largest = -Double.infinity
        for (r, row) in values.enumerated() {
            guard row.count == first.count else { throw .raggedRows(row: r, expected: first.count, found: row.count) }
            for (c, v) in row.enumerated() {
                guard v.isFinite else { throw .nonFiniteValue(row: r, column: c, value: v) }
                smallest = Swift.min(smallest, v)
                largest = Swift.max(largest, v)
            }
        }
        guard rowLabels.isEmpty || rowLabels.count == values.count else {
            throw .labelCountMismatch(axis: .rows, expected: values.count, found: rowLabels.count)
        }
        guard columnLabels.isEmpty || columnLabels.count == first.count else {
            throw .labelCountMismatch(axis: .columns, expected: first.count, found: columnLabels.count)
        }
        let chosen = range ?? Swift.min(0, smallest)...Swift.max(1, largest)
        guard chosen.lowerBound.isFinite, chosen.upperBound.isFinite, chosen.lowerBound < chosen.upperBound else {
            throw .invalidRange(lower: chosen.lowerBound, upper: chosen.upperBound)
        }
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.range = chosen
        self.colorMap = colorMap
    }

    /// A heatmap of a rank-2 tensor `[L, S]` (Float32 or Float64): row `i` is query `i`, column `j` is key `j`.
    ///
    /// ```swift
    /// let weights = scores.softmax(axis: -1)            // [L, S]
    /// let map = try Heatmap(weights, rowLabels: targetWords, columnLabels: sourceWords)
    /// ```
    /// - Throws: `HeatmapError.wrongRank` for any other rank, and everything `init(_:[[Double]]…)` throws.
    public init(_ tensor: Tensor, rowLabels: [String] = [], columnLabels: [String] = [], title: String? = nil,
                range: ClosedRange<Double>? = nil, colorMap: ColorMap = .attention) throws(HeatmapError) {
        guard tensor.rank == 2 else { throw .wrongRank(expected: "2 ([L, S])", shape: tensor.shape) }
        let rows = Heatmap.split(tensor.doubles, rows: tensor.shape[0], columns: tensor.shape[1])
        try self.init(rows, rowLabels: rowLabels, columnLabels: columnLabels, title: title, range: range,
                      colorMap: colorMap)
    }

    /// One heatmap per head of a rank-3 tensor `[H, L, S]` (e.g. the weights of `MultiHeadAttention` for one batch
    /// element). Head `h` is titled "`title` — head h" (or "head h" without a title); `h` counts from 0.
    ///
    /// ```swift
    /// let maps = try Heatmap.heads(weights, rowLabels: words, columnLabels: words, title: "layer 0")
    /// for (h, map) in maps.enumerated() { try map.write(to: URL(fileURLWithPath: "head\(h).png")) }
    /// ```
    /// - Throws: `HeatmapError.wrongRank` for any other rank, and everything `init(_:[[Double]]…)` throws.
    public static func heads(_ tensor: Tensor, rowLabels: [String] = [], columnLabels: [String] = [],
                             title: String? = nil, range: ClosedRange<Double>? = nil,
                             colorMap: ColorMap = .attention) throws(HeatmapError) -> [Heatmap] {
        guard tensor.rank == 3 else { throw .wrongRank(expected: "3 ([H, L, S])", shape: tensor.shape) }
        let (h, l, s) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        guard h > 0 else { throw .empty(rows: 0, columns: 0) }
        let all = tensor.doubles
        var maps: [Heatmap] = []
        for head in 0..<h {
            let slice = Array(all[(head * l * s)..<((head + 1) * l * s)])
            let name = title.map { "\($0) — head \(head)" } ?? "head \(head)"
            maps.append(try Heatmap(split(slice, rows: l, columns: s), rowLabels: rowLabels,
                                    columnLabels: columnLabels, title: name, range: range, colorMap: colorMap))
        }
        return maps
    }

    /// `value` as a position on the colour map: 0 at `range.lowerBound`, 1 at `range.upperBound`, clamped.
    /// Computed on halves: upper − lower overflows to ∞ for a range such as −1e308…1e308 (and ∞/∞ is NaN), while
    /// upper/2 − lower/2 is finite for any finite bounds; the ratio is the same.
    public func position(of value: Double) -> Double {
        let t = (value / 2 - range.lowerBound / 2) / (range.upperBound / 2 - range.lowerBound / 2)
        return Swift.min(Swift.max(t, 0), 1)
    }

    /// The colour of the cell at `row`, `column` (both from 0; out of range is a programming error).
    public func color(row: Int, column: Int) -> RGB8 {
        checkCell(row, column)
        return colorMap.color(at: position(of: values[row][column]))
    }

    func checkCell(_ row: Int, _ column: Int) {
        precondition((0..<rows).contains(row) && (0..<columns).contains(column),
                     "Heatmap: cell (\(row), \(column)) outside the \(rows) × \(columns) matrix")
    }

    /// The label of row `i`: its given label, or "row i" when there are none.
    func rowName(_ i: Int) -> String { rowLabels.isEmpty ? "row \(i)" : rowLabels[i] }

    /// The label of column `j`: its given label, or "column j" when there are none.
    func columnName(_ j: Int) -> String { columnLabels.isEmpty ? "column \(j)" : columnLabels[j] }

    private static func split(_ flat: [Double], rows: Int, columns: Int) -> [[Double]] {
        (0..<rows).map { r in Array(flat[(r * columns)..<((r + 1) * columns)]) }
    }
}
