// TensorCore's `precondition` keeps its message in optimised builds.
import AttentionTensorCore

/// A minimal PNG encoder (ISO/IEC 15948): 8-bit RGB (colour type 2), no interlace, filter type 0 on every row, and a
/// zlib stream of *stored* deflate blocks (no compression).
///
/// File layout: the 8-byte signature, `IHDR`, one or more `IDAT` chunks (the zlib stream cut into pieces of at most
/// `maxIDATLength` bytes), `IEND`. Each chunk is length (big-endian) + type + data + CRC-32 of type and data. The zlib
/// stream is the header `78 01`, stored blocks of at most 65 535 bytes (`BFINAL` on the last, then LEN and its
/// complement NLEN, little-endian), and the Adler-32 of the uncompressed scanlines (big-endian).
///
/// Why stored blocks: heatmaps are small and a stored stream is a few lines that any reader accepts; the pictures
/// are a few kilobytes larger than with real deflate.
///
/// ```swift
/// let pixels: [RGB8] = [RGB8(255, 0, 0), RGB8(0, 0, 255)]      // 2 × 1, row-major
/// let png = try PNGEncoder.encode(width: 2, height: 1, pixels: pixels)
/// ```
public enum PNGEncoder {
    /// The most bytes of filtered scanlines the encoder will produce (1 GiB); beyond that `encode` throws.
    public static let maxImageBytes = 1 << 30
    /// The longest IDAT chunk written; longer zlib streams are spread over several chunks.
    public static let maxIDATLength = 1 << 15
    /// The longest stored deflate block (LEN is 16 bits).
    static let maxStoredBlock = 65_535

    /// The 8 bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `width` × `height` pixels given in row-major order.
    ///
    /// - Precondition: `pixels.count == width * height` and both sizes ≥ 1 (a programming error otherwise).
    /// - Throws: `HeatmapError.imageTooLarge` when the scanlines would exceed `maxImageBytes`.
    public static func encode(width: Int, height: Int, pixels: [RGB8]) throws(HeatmapError) -> [UInt8] {
        precondition(width >= 1 && height >= 1, "PNGEncoder: size \(width) × \(height), expected at least 1 × 1")
        precondition(pixels.count == width * height,
                     "PNGEncoder: \(pixels.count) pixels for \(width) × \(height) = \(width * height)")
        return try encode(width: width, height: height) { y, row in
            for x in 0..<width { row.append(pixels[y * width + x]) }
        }
    }

    /// Encodes `width` × `height` pixels produced one row at a time: `row(y, &buffer)` appends the `width` pixels of
    /// row `y` to an empty buffer. Rows are asked for in order, top to bottom.
    public static func encode(width: Int, height: Int,
                              row: (Int, inout [RGB8]) -> Void) throws(HeatmapError) -> [UInt8] {
        precondition(width >= 1 && height >= 1, "PNGEncoder: size \(width) × \(height), expected at least 1 × 1")
        let (rowBytes, o1) = width.multipliedReportingOverflow(by: 3)
        let (lineBytes, o2) = rowBytes.addingReportingOverflow(1)
        let (total, o3) = lineBytes.multipliedReportingOverflow(by: height)
        guard !o1, !o2, !o3, total <= maxImageBytes, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw .imageTooLarge(width: width, height: height, limit: maxImageBytes)
        }

        // Scanlines: a filter-type byte (0 = None) then the RGB bytes of the row.
        var raw: [UInt8] = []
        raw.reserveCapacity(total)
        var buffer: [RGB8] = []
        buffer.reserveCapacity(width)
        for y in 0..<height {
            buffer.removeAll(keepingCapacity: true)
            row(y, &buffer)
            precondition(buffer.count == width, "PNGEncoder: row \(y) has \(buffer.count) pixels, expected \(width)")
            raw.append(0)
            for p in buffer { raw.append(p.red); raw.append(p.green); raw.append(p.blue) }
        }

        var png = signature
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        appendChunk("IHDR", header, to: &png)
        let stream = zlibStored(raw)
        var start = 0
        repeat {
            let end = Swift.min(start + maxIDATLength, stream.count)
            appendChunk("IDAT", stream[start..<end], to: &png)
            start = end
        } while start < stream.count
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// A zlib stream (RFC 1950) holding `data` in stored deflate blocks (RFC 1951 §3.2.4).
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x01: no dictionary, level "fastest", and 0x7801 % 31 == 0.
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + data.count / maxStoredBlock * 5 + 16)
        var start = 0
        repeat {
            let end = Swift.min(start + maxStoredBlock, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00 (stored); the rest of the byte is padding
            out.append(UInt8(length & 0xFF)); out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF)); out.append(UInt8(~length >> 8))
            out += data[start..<end]
            start = end
        } while start < data.count
        out.appendBigEndian(Adler32.checksum(data))
        return out
    }

    private static func appendChunk(_ type: String, _ data: some Collection<UInt8>, to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png.appendBigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        png.appendBigEndian(crc.value)
    }
}

extension Heatmap {
    /// The heatmap as a PNG: each cell a `cellSize` × `cellSize` square of its colour, with an optional 1-pixel grid.
    ///
    /// Size: `columns · cellSize` × `rows · cellSize` pixels; with `gridLines`, a line of `gridColor` before every
    /// cell and after the last one, so `columns · (cellSize + 1) + 1` × `rows · (cellSize + 1) + 1`. The PNG holds
    /// no text: labels, title and legend are in `svg()` and `html()`.
    ///
    /// ```swift
    /// let png = try map.pngData(cellSize: 16, gridLines: true)
    /// try Data(png).write(to: URL(fileURLWithPath: "weights.png"))
    /// ```
    /// - Throws: `HeatmapError.invalidCellSize` for `cellSize < 1`, `.imageTooLarge` past `PNGEncoder.maxImageBytes`.
    public func pngData(cellSize: Int = 24, gridLines: Bool = false,
                        gridColor: RGB8 = RGB8(255, 255, 255)) throws(HeatmapError) -> [UInt8] {
        guard cellSize >= 1 else { throw .invalidCellSize(cellSize) }
        let pitch = cellSize + (gridLines ? 1 : 0)
        let (w, o1) = columns.multipliedReportingOverflow(by: pitch)
        let (h, o2) = rows.multipliedReportingOverflow(by: pitch)
        guard !o1, !o2, w < Int(Int32.max), h < Int(Int32.max) else {
            throw .imageTooLarge(width: w, height: h, limit: PNGEncoder.maxImageBytes)
        }
        let width = w + (gridLines ? 1 : 0), height = h + (gridLines ? 1 : 0)
        let colors = (0..<rows).map { r in (0..<columns).map { c in color(row: r, column: c) } }
        // Pixel x lies on a grid line when x is a multiple of the pitch; otherwise in cell x / pitch.
        func cell(_ x: Int) -> Int? {
            if gridLines { return x % pitch == 0 ? nil : x / pitch }
            return x / pitch
        }
        let columnOf = (0..<width).map(cell)
        return try PNGEncoder.encode(width: width, height: height) { y, line in
            guard let r = cell(y) else {
                line.append(contentsOf: repeatElement(gridColor, count: width))
                return
            }
            for x in 0..<width { line.append(columnOf[x].map { colors[r][$0] } ?? gridColor) }
        }
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF)); append(UInt8(value & 0xFF))
    }
}
