/// An RGB picture the PNG renderers draw on: filled rectangles, text from a ``BitmapFont`` (blended by its coverage,
/// horizontal or turned to read upwards), other rasters pasted in, then `pngData()`.
///
/// Coordinates are pixels from the top-left corner; anything drawn outside the picture is clipped.
///
/// ```swift
/// var image = RasterImage(width: 120, height: 20, background: RGB8(255, 255, 255))
/// image.draw("attention", x: 4, y: 2, font: .text, color: RGB8(0, 0, 0))
/// let png = try image.pngData()
/// ```
public struct RasterImage: Sendable, Equatable {
    /// The image's size in pixels.
    public let width: Int, height: Int
    /// Row-major pixels.
    public private(set) var pixels: [RGB8]

    /// Which way text runs: left to right, or turned 90° anticlockwise (reading bottom to top, for column labels).
    public enum TextDirection: Sendable {
        /// Left to right.
        case horizontal
        /// Turned 90° anticlockwise, reading bottom to top.
        case upward
    }

    /// An image of `width` × `height` pixels (at least 1 × 1) filled with `background`.
    public init(width: Int, height: Int, background: RGB8) {
        precondition(width >= 1 && height >= 1, "RasterImage: size \(width) × \(height), expected at least 1 × 1")
        self.width = width
        self.height = height
        pixels = [RGB8](repeating: background, count: width * height)
    }

    /// The pixel at column `x`, row `y` (both must be inside the image).
    public func pixel(x: Int, y: Int) -> RGB8 { pixels[y * width + x] }

    /// Paints the rectangle at (`x`, `y`) of `w` × `h` pixels, clipped to the image.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB8) {
        let x0 = Swift.max(x, 0), x1 = Swift.min(x + w, width), y0 = Swift.max(y, 0), y1 = Swift.min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 { for col in x0..<x1 { pixels[row * width + col] = color } }
    }

    /// A 1-pixel rectangle outline.
    public mutating func stroke(x: Int, y: Int, width w: Int, height h: Int, color: RGB8) {
        fill(x: x, y: y, width: w, height: 1, color: color)
        fill(x: x, y: y + h - 1, width: w, height: 1, color: color)
        fill(x: x, y: y, width: 1, height: h, color: color)
        fill(x: x + w - 1, y: y, width: 1, height: h, color: color)
    }

    /// Mixes `color` into one pixel with weight `alpha` (0…1), in sRGB values as browsers blend by default.
    public mutating func blend(x: Int, y: Int, color: RGB8, alpha: Double) {
        guard (0..<width).contains(x), (0..<height).contains(y), alpha > 0 else { return }
        let a = Swift.min(alpha, 1), i = y * width + x, old = pixels[i]
        func mix(_ new: UInt8, _ was: UInt8) -> UInt8 { UInt8((Double(new) * a + Double(was) * (1 - a)).rounded()) }
        pixels[i] = RGB8(mix(color.red, old.red), mix(color.green, old.green), mix(color.blue, old.blue))
    }

    /// Draws `text` with the top of its line at `y` and its pen starting at `x` (for `.upward`: the line's top is
    /// at `x`, the text starts at `y` and runs up). Returns the advance in pixels. `bold` draws the ink twice,
    /// one pixel apart.
    @discardableResult
    public mutating func draw(_ text: String, x: Int, y: Int, font: BitmapFont, color: RGB8,
                              direction: TextDirection = .horizontal, bold: Bool = false) -> Int {
        var pen = 0
        for scalar in font.scalars(of: text) {
            let g = font.glyph(for: scalar)
            for gy in 0..<font.height {
                for gx in 0..<g.width {
                    let c = g.coverage[gy * g.width + gx]
                    guard c > 0 else { continue }
                    let alpha = Double(c) / 15
                    for extra in 0...(bold ? 1 : 0) {
                        let u = pen + g.left + gx + extra
                        switch direction {
                        case .horizontal: blend(x: x + u, y: y + gy, color: color, alpha: alpha)
                        case .upward: blend(x: x + gy, y: y - u, color: color, alpha: alpha)
                        }
                    }
                }
            }
            pen += g.advance + (bold ? 1 : 0)
        }
        return pen
    }

    /// Copies `other` in with its top-left corner at (x, y).
    public mutating func paste(_ other: RasterImage, x: Int, y: Int) {
        for row in 0..<other.height { for col in 0..<other.width {
            let tx = x + col, ty = y + row
            if (0..<width).contains(tx) && (0..<height).contains(ty) { pixels[ty * width + tx] = other.pixels[row * other.width + col] }
        } }
    }

    /// Every pixel repeated `factor` × `factor` times: the same picture at `factor` times the pixel density.
    public func scaled(by factor: Int) -> RasterImage {
        precondition(factor >= 1, "RasterImage.scaled: factor \(factor), expected at least 1")
        guard factor > 1 else { return self }
        var out = RasterImage(width: width * factor, height: height * factor, background: RGB8(0, 0, 0))
        for y in 0..<out.height { for x in 0..<out.width { out.pixels[y * out.width + x] = pixels[(y / factor) * width + x / factor] } }
        return out
    }

    /// The image as PNG bytes (8-bit RGB).
    public func pngData() throws(HeatmapError) -> [UInt8] {
        try PNGEncoder.encode(width: width, height: height, pixels: pixels)
    }
}
