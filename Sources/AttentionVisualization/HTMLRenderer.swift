extension Heatmap {
    /// The caption `html()` writes when given none: what the axes and colours mean, and the extreme values.
    public var defaultCaption: String {
        let flat = values.flatMap { $0 }
        let low = flat.min() ?? 0, high = flat.max() ?? 0
        return "Rows: \(rows) queries; columns: \(columns) keys. Colour runs from dark at "
            + "\(Markup.short(range.lowerBound)) to light at \(Markup.short(range.upperBound)) "
            + "(\(colorMap.name) map); values span \(Markup.fixed(low, 4))–\(Markup.fixed(high, 4))."
    }

    /// The heatmap as a self-contained HTML page: the SVG of `svg(cellSize:)` inline (without its own title text: the
    /// page shows the title once, as its heading), above a caption. No external resources and no JavaScript; hovering a cell shows its SVG tooltip.
    ///
    /// ```swift
    /// let page = map.html(caption: "Alignment of the French source (columns) with the English output (rows).")
    /// ```
    /// - Parameters:
    ///   - cellSize: passed to `svg(cellSize:)`.
    ///   - caption: the text under the picture; nil for the heatmap's `caption`, else `defaultCaption`. Escaped like
    ///     every other text.
    public func html(cellSize: Int = 24, caption: String? = nil) -> String {
        let heading = Markup.escape(title ?? "Attention heatmap")
        let text = Markup.escape(caption ?? self.caption ?? defaultCaption)
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(heading)</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222222; background: #ffffff; }
        figure { margin: 0; display: inline-block; }
        figcaption { margin-top: 0.5em; font-size: 0.9em; color: #444444; max-width: 48em; }
        </style>
        </head>
        <body>
        <h1>\(heading)</h1>
        <figure>
        \(svg(cellSize: cellSize, showValues: nil, drawsTitle: false))<figcaption>\(text)</figcaption>
        </figure>
        </body>
        </html>

        """
    }
}
