import Foundation

/// The anti-aliased bitmap faces the PNG renderer writes text with, so that a PNG heatmap carries its title, labels,
/// values and colour-bar ticks without any font library at run time.
///
/// `BitmapFont.text` is DejaVu Sans at 12 px (line height 15) and covers ASCII, Latin-1, Latin Extended-A, Greek and
/// Cyrillic, plus the dashes, quotes, ellipsis, arrows and minus sign that labels use; `BitmapFont.digits` is the same
/// face at 9 px for the values inside cells. Text is NFC-composed first (so "e" + U+0301 finds "é"); a character
/// outside the set is drawn as a hollow box of the cap height — visible, never silently dropped. Scripts such as CJK
/// need the SVG or HTML output, where the browser's fonts draw them. The glyphs are generated data
/// (`Scripts/make_bitmap_font.py`, `BitmapFont+Glyphs.swift`): 16 coverage levels per pixel.
///
/// ```swift
/// let width = BitmapFont.text.width(of: "Bonjour")     // pixels at scale 1
/// ```
public struct BitmapFont: Sendable {
    /// One character's bitmap: `coverage` holds `width` × `font.height` values 0…15, row by row.
    public struct Glyph: Sendable, Equatable {
        /// Pixels the pen moves right after the glyph.
        public let advance: Int
        /// Pixels between the pen and the bitmap's first column (negative: the ink starts left of the pen).
        public let left: Int
        /// The bitmap's width in pixels (its height is the font's line height).
        public let width: Int
        /// Ink coverage, 0 (none) … 255 (full), row-major, `width` per row.
        public let coverage: [UInt8]
    }

    /// Pixels from the top of a line to the baseline.
    public let ascent: Int
    /// Pixels from the top of one line to the top of the next.
    public let height: Int
    let glyphs: [UInt32: Glyph]
    /// The glyph drawn for characters the font lacks: a hollow box.
    public let fallback: Glyph

    /// 12 px DejaVu Sans: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic.
    public static let text = BitmapFont.decoded(face: 0)
    /// 9 px DejaVu Sans digits, point, signs, "e" and "%": the values written inside cells.
    public static let digits = BitmapFont.decoded(face: 1)

    init(ascent: Int, height: Int, glyphs: [UInt32: Glyph]) {
        self.ascent = ascent
        self.height = height
        self.glyphs = glyphs
        // A box from the cap height to the baseline, as wide as a digit, with a 1-pixel gap on each side.
        let boxWidth = Swift.max(3, ascent / 2), top = ascent - ascent * 3 / 4
        var box = [UInt8](repeating: 0, count: boxWidth * height)
        for y in top..<ascent {
            for x in 0..<boxWidth where y == top || y == ascent - 1 || x == 0 || x == boxWidth - 1 { box[y * boxWidth + x] = 15 }
        }
        fallback = Glyph(advance: boxWidth + 2, left: 1, width: boxWidth, coverage: box)
    }

    /// Whether the font has its own glyph for `scalar` (otherwise `glyph(for:)` gives the box).
    public func covers(_ scalar: Unicode.Scalar) -> Bool { glyphs[scalar.value] != nil }

    /// The glyph of `scalar`, or the font's box glyph when it has none (see `covers(_:)`).
    public func glyph(for scalar: Unicode.Scalar) -> Glyph { glyphs[scalar.value] ?? fallback }

    /// The scalars that are drawn for `text`: NFC-composed, control characters shown as the box.
    public func scalars(of text: String) -> [Unicode.Scalar] {
        Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// The advance of `text` in pixels at scale 1.
    public func width(of text: String) -> Int {
        scalars(of: text).reduce(0) { $0 + glyph(for: $1).advance }
    }

    /// `text` cut to at most `maxWidth` pixels, ending in "…" when it was cut.
    public func truncated(_ text: String, toWidth maxWidth: Int) -> String {
        guard width(of: text) > maxWidth else { return text }
        let ellipsis = glyph(for: "…").advance
        var out = String.UnicodeScalarView(), used = 0
        for s in scalars(of: text) {
            let a = glyph(for: s).advance
            if used + a + ellipsis > maxWidth { break }
            out.append(s)
            used += a
        }
        return String(out) + "…"
    }

    /// Decodes face `index` of `encodedGlyphs` (the layout is described in Scripts/make_bitmap_font.py).
    static func decoded(face index: Int) -> BitmapFont {
        guard let data = Data(base64Encoded: encodedGlyphs, options: .ignoreUnknownCharacters) else {
            preconditionFailure("BitmapFont: the generated glyph data is not base64")
        }
        let bytes = [UInt8](data)
        var at = 0
        func u8() -> Int { defer { at += 1 }; return Int(bytes[at]) }
        func u16() -> Int { u8() | u8() << 8 }
        func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
        var face = 0
        while true {
            let ascent = u8(), height = u8(), count = u16()
            var glyphs: [UInt32: Glyph] = [:]
            for _ in 0..<count {
                let code = u32(), advance = u8(), left = Int(Int8(bitPattern: UInt8(u8()))), width = u8()
                var coverage = [UInt8](repeating: 0, count: width * height)
                if width > 0 {
                    let rowBytes = (width + 1) / 2
                    for y in 0..<height {
                        for x in 0..<width {
                            let byte = bytes[at + y * rowBytes + x / 2]
                            coverage[y * width + x] = x % 2 == 0 ? byte >> 4 : byte & 0x0F
                        }
                    }
                    at += rowBytes * height
                }
                glyphs[code] = Glyph(advance: advance, left: left, width: width, coverage: coverage)
            }
            if face == index { return BitmapFont(ascent: ascent, height: height, glyphs: glyphs) }
            face += 1
            precondition(at < bytes.count, "BitmapFont: the generated glyph data has no face \(index)")
        }
    }
}
