import Foundation

/// Which side of a heatmap a label list belongs to.
public enum HeatmapAxis: String, Sendable, Hashable {
    /// Rows: the queries of an attention matrix.
    case rows
    /// Columns: the keys of an attention matrix.
    case columns
}

/// Why a heatmap could not be built, rendered or written. Each message names what was expected and what was found.
///
/// ```swift
/// do {
///     _ = try Heatmap([[0.5, 0.5], [1.0]])
/// } catch {
///     print(error)   // Heatmap: row 1 has 1 value, expected 2 (the length of row 0)
/// }
/// ```
public enum HeatmapError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// No rows, or rows without values.
    case empty(rows: Int, columns: Int)
    /// A row whose length differs from the first row's.
    case raggedRows(row: Int, expected: Int, found: Int)
    /// A non-empty label list whose count differs from the number of rows or columns.
    case labelCountMismatch(axis: HeatmapAxis, expected: Int, found: Int)
    /// A NaN or infinite value: it has no colour, and rendering it as any colour would hide it.
    case nonFiniteValue(row: Int, column: Int, value: Double)
    /// An attention weight below 0 in an overlay.
    case negativeWeight(row: Int, column: Int, value: Double)
    /// A colour range that is empty (lower == upper) or has a non-finite bound.
    case invalidRange(lower: Double, upper: Double)
    /// A tensor of the wrong rank (`expected` describes the accepted layout, e.g. "2 ([L, S])").
    case wrongRank(expected: String, shape: [Int])
    /// A cell size below 1 pixel.
    case invalidCellSize(Int)
    /// A PNG pixel density outside 1…8.
    case invalidScale(Int)
    /// An image beyond the limits of the PNG encoder.
    case imageTooLarge(width: Int, height: Int, limit: Int)
    /// A file extension that names no format.
    case unsupportedFileExtension(String)
    /// Writing the file failed; nothing was left at the destination.
    case writeFailed(path: String, reason: String)

    /// One line naming what was wrong, with the expected and the found values.
    public var description: String {
        switch self {
        case let .empty(rows, columns):
            return "Heatmap: empty matrix (\(rows) rows × \(columns) columns), expected at least 1 × 1"
        case let .raggedRows(row, expected, found):
            let plural = found == 1 ? "" : "s"
            return "Heatmap: row \(row) has \(found) value\(plural), expected \(expected) (the length of row 0)"
        case let .labelCountMismatch(axis, expected, found):
            let noun = axis == .rows ? "row" : "column"
            return "Heatmap: found \(found) \(noun) labels, expected \(expected) (one per \(noun)) or none"
        case let .nonFiniteValue(row, column, value):
            return "Heatmap: value \(value) at row \(row), column \(column), expected a finite number"
        case let .negativeWeight(row, column, value):
            return "Heatmap: attention weight \(value) at row \(row), column \(column), expected a value ≥ 0"
        case let .invalidRange(lower, upper):
            return "Heatmap: colour range \(lower)…\(upper) is invalid, expected finite bounds with lower < upper"
        case let .wrongRank(expected, shape):
            return "Heatmap: tensor of shape \(shape) (rank \(shape.count)), expected rank \(expected)"
        case let .invalidCellSize(size):
            return "Heatmap: cell size \(size) px, expected at least 1"
        case let .invalidScale(scale):
            return "Heatmap: scale \(scale), expected 1…8 (PNG pixels per picture pixel)"
        case let .imageTooLarge(width, height, limit):
            return "Heatmap: image of \(width) × \(height) px is too large, expected at most \(limit) bytes of pixel data"
        case let .unsupportedFileExtension(ext):
            let shown = ext.isEmpty ? "no extension" : "extension \".\(ext)\""
            return "Heatmap: \(shown), expected one of .png, .svg, .html, .htm, .txt (or pass format:)"
        case let .writeFailed(path, reason):
            return "Heatmap: could not write \(path): \(reason)"
        }
    }

    /// The same text as `description`, so `localizedDescription` shows it too.
    public var errorDescription: String? { description }
}
