import AttentionSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file formats a heatmap can be written as.
public enum HeatmapFormat: String, Sendable, Hashable, CaseIterable {
    /// 8-bit RGB PNG with the title, labels, values and colour bar drawn in (`Heatmap.labelledPNGData`; text in
    /// Latin, Greek and Cyrillic, other scripts as boxes). `Heatmap.pngData` gives the cells alone.
    case png
    /// Self-contained SVG with labels, tooltips and a colour bar (`Heatmap.svg`).
    case svg
    /// Self-contained HTML page embedding the SVG (`Heatmap.html`).
    case html
    /// Plain text with the ASCII ramp (`Heatmap.terminal(ansi: false)`): files get no escape codes.
    case terminal

    /// The format named by a file extension, case-insensitively: png, svg, html or htm, txt.
    ///
    /// ```swift
    /// try HeatmapFormat(fileExtension: "HTM")   // .html
    /// ```
    /// - Throws: `HeatmapError.unsupportedFileExtension` for anything else (including no extension).
    public init(fileExtension: String) throws(HeatmapError) {
        switch fileExtension.lowercased() {
        case "png": self = .png
        case "svg": self = .svg
        case "html", "htm": self = .html
        case "txt": self = .terminal
        default: throw .unsupportedFileExtension(fileExtension)
        }
    }

    /// The format named by the extension of `url`'s last path component.
    public init(url: URL) throws(HeatmapError) {
        try self.init(fileExtension: url.pathExtension)
    }
}

extension Heatmap {
    /// The bytes of the heatmap in `format` (text formats as UTF-8); `scale` multiplies the PNG's pixel density.
    public func encoded(as format: HeatmapFormat, cellSize: Int = 24, scale: Int = 1) throws(HeatmapError) -> [UInt8] {
        guard cellSize >= 1 else { throw .invalidCellSize(cellSize) }
        switch format {
        case .png: return try labelledPNGData(cellSize: cellSize, scale: scale)
        case .svg: return Array(svg(cellSize: cellSize).utf8)
        case .html: return Array(html(cellSize: cellSize).utf8)
        case .terminal: return Array(terminal(ansi: false).utf8)
        }
    }

    /// Writes the heatmap to `url`, atomically: the bytes go to a hidden temporary file in the same directory, which
    /// is then renamed over `url` (a rename within one file system is atomic, so a reader sees the old file or the
    /// whole new one). On any failure the temporary file is removed and `url` is untouched.
    ///
    /// ```swift
    /// try map.write(to: URL(fileURLWithPath: "alignment.html"))            // format from the extension
    /// try map.write(to: URL(fileURLWithPath: "weights"), format: .png, cellSize: 8)
    /// ```
    /// - Parameters:
    ///   - format: nil to infer it from the extension (.png, .svg, .html/.htm, .txt).
    ///   - cellSize: pixels (PNG) or user units (SVG, HTML) per cell side; ignored for text.
    ///   - scale: the PNG's pixel density, 1…8 (2 for high-density screens); ignored for the other formats.
    /// - Throws: `HeatmapError.unsupportedFileExtension`, `.invalidCellSize`, `.imageTooLarge`, or `.writeFailed`
    ///   naming the path and the system's reason.
    public func write(to url: URL, format: HeatmapFormat? = nil, cellSize: Int = 24, scale: Int = 1) throws(HeatmapError) {
        let chosen: HeatmapFormat
        if let format { chosen = format } else { chosen = try HeatmapFormat(url: url) }
        try AtomicWrite.write(try encoded(as: chosen, cellSize: cellSize, scale: scale), to: url)
    }
}

/// Pictures are written whole or not at all (``AtomicFile``, the package's one atomic writer), their failures as
/// ``HeatmapError``.
enum AtomicWrite {
    static func write(_ bytes: [UInt8], to url: URL) throws(HeatmapError) {
        do {
            try AtomicFile.write(bytes, to: url)
        } catch {
            throw .writeFailed(path: error.path, reason: error.reason)
        }
    }
}
