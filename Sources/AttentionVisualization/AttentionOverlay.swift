import Foundation

/// Attention drawn over a picture: one or more panels, each a grey-scale image with an attention map of the same
/// size laid over it in the colours of a ``ColorMap``, with a caption under each panel and a title on top — what the
/// vision tasks draw (a digit and where the model looked; a caption's words, each with its own map).
///
/// A pixel shows the image's grey (0 white … 1 black ink) mixed with the colour of its attention `a`, at
/// `t = (a − min) / (max − min)` over the panel: colour `colorMap(t)` with opacity `0.8·t`, so the least attended
/// pixels show the plain image and the most attended are mostly colour (a panel whose weights are all equal shows
/// the plain image). Values are validated once, as for ``Heatmap``.
///
/// ```swift
/// let overlay = try AttentionOverlay(title: "digit 3", panels: [.init(image: pixels, attention: rollout, caption: "rollout")])
/// try overlay.write(to: URL(fileURLWithPath: "where.png"))     // .png, .svg or .html
/// ```
public struct AttentionOverlay: Sendable {
    /// One picture of the overlay: a grey image, the attention laid over it, and a caption below.
    public struct Panel: Sendable {
        /// Rows of grey values in 0…1 (1 = ink).
        public let image: [[Double]]
        /// Rows of attention weights ≥ 0, the image's size.
        public let attention: [[Double]]
        /// The text under the panel.
        public let caption: String
        /// A panel; sizes and values are checked by `AttentionOverlay/init(title:panels:)`.
        public init(image: [[Double]], attention: [[Double]], caption: String) {
            self.image = image; self.attention = attention; self.caption = caption
        }
    }

    /// The title above the panels (nil: none).
    public let title: String?
    /// The panels, left to right.
    public let panels: [Panel]
    /// The colours the attention is drawn in.
    public var colorMap: ColorMap = .attention

    /// An overlay of `panels` under `title`, every value checked once.
    /// - Throws: `HeatmapError.empty` without panels or pixels, `.raggedRows` when a row or the attention map differs
    ///   in size from the panel's image, `.nonFiniteValue` for NaN or ±∞ (image or attention), `.negativeWeight`.
    public init(title: String?, panels: [Panel]) throws(HeatmapError) {
        guard let first = panels.first, let width = first.image.first?.count, width > 0 else { throw .empty(rows: 0, columns: 0) }
        for p in panels {
            guard p.image.count == first.image.count, p.attention.count == p.image.count else {
                throw .raggedRows(row: Swift.min(p.image.count, p.attention.count), expected: first.image.count, found: p.attention.count)
            }
            for (r, (a, b)) in zip(p.image, p.attention).enumerated() {
                guard a.count == width, b.count == width else { throw .raggedRows(row: r, expected: width, found: a.count == width ? b.count : a.count) }
                for (c, v) in (a + b).enumerated() where !v.isFinite { throw .nonFiniteValue(row: r, column: c % width, value: v) }
                if let c = b.firstIndex(where: { $0 < 0 }) { throw .negativeWeight(row: r, column: c, value: b[c]) }
            }
        }
        self.title = title
        self.panels = panels
    }

    var rows: Int { panels[0].image.count }
    var columns: Int { panels[0].image[0].count }

    /// The colour of pixel (r, c) of panel `k`.
    public func color(panel k: Int, row r: Int, column c: Int) -> RGB8 {
        let p = panels[k]
        let low = p.attention.joined().min() ?? 0, high = p.attention.joined().max() ?? 0
        let t = high > low ? (p.attention[r][c] - low) / (high - low) : 0
        let grey = UInt8((255 * (1 - Swift.min(Swift.max(p.image[r][c], 0), 1))).rounded())
        let heat = colorMap.color(at: t), alpha = 0.8 * t
        func mix(_ h: UInt8) -> UInt8 { UInt8((Double(h) * alpha + Double(grey) * (1 - alpha)).rounded()) }
        return RGB8(mix(heat.red), mix(heat.green), mix(heat.blue))
    }

    /// Panel geometry at scale 1: `pixelSize` screen pixels per image pixel, panels side by side with a gap.
    func geometry(pixelSize: Int) -> (panelWidth: Int, panelHeight: Int, gap: Int, top: Int, width: Int, height: Int) {
        let font = BitmapFont.text, pad = 8, gap = 12
        let panelWidth = columns * pixelSize, panelHeight = rows * pixelSize
        let captionWidth = panels.map { font.width(of: $0.caption) }.max() ?? 0
        let slot = Swift.max(panelWidth, captionWidth)
        let top = pad + (title == nil ? 0 : font.height + 8)
        let width = Swift.max(pad * 2 + panels.count * slot + (panels.count - 1) * gap, pad * 2 + (title.map { font.width(of: $0) + font.scalars(of: $0).count } ?? 0))
        return (slot, panelHeight, gap, top, width, top + panelHeight + 6 + font.height + pad)
    }

    /// The picture as pixels; `pixelSize` per image pixel, `scale` × the density.
    public func raster(pixelSize: Int = 16, scale: Int = 1) throws(HeatmapError) -> RasterImage {
        guard (1...256).contains(pixelSize) else { throw .invalidCellSize(pixelSize) }
        guard (1...8).contains(scale) else { throw .invalidScale(scale) }
        let g = geometry(pixelSize: pixelSize)
        guard g.width * g.height * scale * scale * 3 <= PNGEncoder.maxImageBytes else {
            throw .imageTooLarge(width: g.width * scale, height: g.height * scale, limit: PNGEncoder.maxImageBytes)
        }
        let font = BitmapFont.text, ink = RGB8(0x22, 0x22, 0x22)
        var image = RasterImage(width: g.width, height: g.height, background: RGB8(255, 255, 255))
        if let title { image.draw(title, x: 8, y: 8, font: font, color: ink, bold: true) }
        for k in panels.indices {
            let x0 = 8 + k * (g.panelWidth + g.gap) + (g.panelWidth - columns * pixelSize) / 2
            for r in 0..<rows { for c in 0..<columns {
                image.fill(x: x0 + c * pixelSize, y: g.top + r * pixelSize, width: pixelSize, height: pixelSize,
                           color: color(panel: k, row: r, column: c))
            } }
            image.stroke(x: x0 - 1, y: g.top - 1, width: columns * pixelSize + 2, height: rows * pixelSize + 2, color: RGB8(0xAA, 0xAA, 0xAA))
            let caption = panels[k].caption
            image.draw(caption, x: 8 + k * (g.panelWidth + g.gap) + (g.panelWidth - font.width(of: caption)) / 2,
                       y: g.top + g.panelHeight + 6, font: font, color: ink)
        }
        return image.scaled(by: scale)
    }

    /// A self-contained SVG: one `<rect>` per pixel (with a tooltip of its attention weight), captions as text.
    public func svg(pixelSize: Int = 16) -> String {
        let g = geometry(pixelSize: pixelSize)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(g.width)\" height=\"\(g.height)\" viewBox=\"0 0 \(g.width) \(g.height)\" "
        s += "font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
        if let title { s += "<title>\(Markup.escape(title))</title>\n" }
        s += "<rect x=\"0\" y=\"0\" width=\"\(g.width)\" height=\"\(g.height)\" fill=\"#ffffff\"/>\n"
        if let title { s += "<text x=\"8\" y=\"20\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape(title))</text>\n" }
        for k in panels.indices {
            let x0 = 8 + k * (g.panelWidth + g.gap) + (g.panelWidth - columns * pixelSize) / 2
            s += "<g class=\"panel\">\n"
            for r in 0..<rows { for c in 0..<columns {
                s += "<rect class=\"pixel\" x=\"\(x0 + c * pixelSize)\" y=\"\(g.top + r * pixelSize)\" width=\"\(pixelSize)\" height=\"\(pixelSize)\" "
                s += "fill=\"\(color(panel: k, row: r, column: c).hex)\"><title>(\(r), \(c)): attention \(Markup.fixed(panels[k].attention[r][c], 4))</title></rect>\n"
            } }
            s += "<text class=\"caption\" x=\"\(8 + k * (g.panelWidth + g.gap) + g.panelWidth / 2)\" y=\"\(g.top + g.panelHeight + 18)\" "
            s += "text-anchor=\"middle\">\(Markup.escape(panels[k].caption))</text>\n</g>\n"
        }
        return s + "</svg>\n"
    }

    /// Writes .png, .svg or .html (by extension) atomically, as ``Heatmap/write(to:format:cellSize:scale:)`` does.
    public func write(to url: URL, pixelSize: Int = 16, scale: Int = 1) throws(HeatmapError) {
        let bytes: [UInt8]
        switch try HeatmapFormat(url: url) {
        case .png: bytes = try raster(pixelSize: pixelSize, scale: scale).pngData()
        case .svg: bytes = Array(svg(pixelSize: pixelSize).utf8)
        case .html:
            let name = Markup.escape(title ?? "attention")
            bytes = Array("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(name)</title></head>\n<body>\n\(svg(pixelSize: pixelSize))</body></html>\n".utf8)
        case .terminal: throw .unsupportedFileExtension("txt (an overlay is a picture: use .png, .svg or .html)")
        }
        try AtomicWrite.write(bytes, to: url)
    }
}
