import Foundation
import Testing
@testable import AttentionVisualization

/// The bitmap font and the labelled PNG: coverage of the promised scripts, the visible fallback, and a decoded picture
/// whose cells, text, colour bar and scale are where the layout says.
struct LabelledPNGTests {
    static let dark = 0x80   // a pixel whose channels are all below this holds ink (the background is white)

    static func inkPixels(_ png: DecodedPNG, x: Range<Int>, y: Range<Int>) -> Int {
        var n = 0
        for yy in y { for xx in x where png.pixel(x: xx, y: yy).allSatisfy({ Int($0) < dark }) { n += 1 } }
        return n
    }

    @Test("the text face covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters; CJK falls back to a box")
    func coverage() {
        let font = BitmapFont.text
        let letters: [ClosedRange<UInt32>] = [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF, 0x100...0x17F, 0x391...0x3A1, 0x3A3...0x3A9,
                                              0x3B1...0x3C9, 0x400...0x45F]
        for range in letters { for v in range {
            let s = Unicode.Scalar(v)!
            #expect(font.covers(s), "U+\(String(v, radix: 16)) missing")
            #expect(font.glyph(for: s).coverage.contains { $0 > 0 }, "U+\(String(v, radix: 16)) has no ink")
        } }
        #expect(!font.covers("注") && font.glyph(for: "注") == font.fallback)
        #expect(font.fallback.coverage.filter { $0 == 15 }.count > 10)           // a visible hollow box
        #expect(font.width(of: "e\u{301}") == font.width(of: "é"))             // NFC first
        #expect(font.width(of: "") == 0 && font.width(of: "ab") == font.width(of: "a") + font.width(of: "b"))
        #expect(font.glyph(for: " ").coverage.allSatisfy { $0 == 0 } && font.glyph(for: " ").advance > 0)
        for ch in "0123456789.-" { #expect(BitmapFont.digits.covers(ch.unicodeScalars.first!)) }
    }

    @Test("truncation keeps a label within the width and marks the cut with an ellipsis")
    func truncation() {
        let font = BitmapFont.text, long = String(repeating: "attention ", count: 40)
        let cut = font.truncated(long, toWidth: 100)
        #expect(cut.hasSuffix("…") && font.width(of: cut) <= 100 && font.width(of: cut) > 80)
        #expect(font.truncated("short", toWidth: 100) == "short")
    }

    @Test("seed 001 PNG: cells where the layout puts them, the title, labels, values and colour bar drawn in ink")
    func seedExample() throws {
        let map = try SVGTests.seedExample()
        let layout = map.pngLayout(cellSize: 32)
        let png = try PNGReader.decode(try map.labelledPNGData(cellSize: 32))
        #expect(png.width == layout.width && png.height == layout.height && layout.showsValues)
        for (j, v) in [0.3619, 0.3805, 0.2576].enumerated() {
            let c = ColorMap.attention.color(at: v)
            // A corner of the cell (the value is written in its middle).
            #expect(png.pixel(x: layout.gridX + j * 32 + 1, y: layout.gridY + 1) == [c.red, c.green, c.blue])
            // The value's digits: light ink on these dark cells, in the middle of the cell.
            let light = (0..<32).flatMap { dx in (10..<22).map { dy in png.pixel(x: layout.gridX + j * 32 + dx, y: layout.gridY + dy) } }
                .filter { $0.allSatisfy { $0 > 0xC0 } }.count
            #expect(light > 15, "no value drawn in cell \(j)")
        }
        #expect(Self.inkPixels(png, x: 0..<png.width, y: 0..<24) > 60)                       // the title
        #expect(Self.inkPixels(png, x: 0..<layout.gridX, y: layout.gridY..<(layout.gridY + 32)) > 10)   // "s0"
        for j in 0..<3 {                                                                         // each column label
            #expect(Self.inkPixels(png, x: (layout.gridX + j * 32)..<(layout.gridX + (j + 1) * 32), y: 24..<layout.gridY) > 10)
        }
        let top = ColorMap.attention.color(at: 1 - 0.5 / Double(layout.barHeight))
        let bottom = ColorMap.attention.color(at: 0.5 / Double(layout.barHeight))
        #expect(png.pixel(x: layout.barX + 5, y: layout.barY) == [top.red, top.green, top.blue])
        #expect(png.pixel(x: layout.barX + 5, y: layout.barY + layout.barHeight - 1) == [bottom.red, bottom.green, bottom.blue])
        #expect(Self.inkPixels(png, x: (layout.barX + layout.barWidth + 6)..<png.width, y: 0..<png.height) > 20)   // ticks
    }

    @Test("scale 3 is every pixel of scale 1 repeated 3 × 3; scales outside 1…8 and cell size 0 are named errors")
    func scale() throws {
        let map = try Heatmap([[0.1, 0.9], [0.5, 0.2]], rowLabels: ["α", "Ж"], columnLabels: ["é", "注"], title: "Ωmega")
        let one = try PNGReader.decode(try map.labelledPNGData(cellSize: 20))
        let three = try PNGReader.decode(try map.labelledPNGData(cellSize: 20, scale: 3))
        #expect(three.width == 3 * one.width && three.height == 3 * one.height)
        for (x, y) in [(0, 0), (17, 9), (one.width - 1, one.height - 1), (one.width / 2, one.height / 2)] {
            for dx in 0..<3 { for dy in 0..<3 { #expect(three.pixel(x: 3 * x + dx, y: 3 * y + dy) == one.pixel(x: x, y: y)) } }
        }
        #expect(throws: HeatmapError.invalidScale(0)) { try map.labelledPNGData(scale: 0) }
        #expect(throws: HeatmapError.invalidScale(9)) { try map.labelledPNGData(scale: 9) }
        #expect(throws: HeatmapError.invalidCellSize(0)) { try map.labelledPNGData(cellSize: 0) }
        #expect(HeatmapError.invalidScale(9).description.contains("1…8"))
        let huge = try Heatmap([[Double]](repeating: [0.5], count: 2))
        #expect(throws: HeatmapError.self) { try huge.labelledPNGData(cellSize: 1 << 21) }
    }

    @Test("a label in a script the font lacks still leaves ink (boxes), and long labels are cut, not widening the image")
    func fallbackAndLongLabels() throws {
        let cjk = try Heatmap([[1]], rowLabels: ["注意力"])
        let latin = try Heatmap([[1]], rowLabels: ["abc"])
        let png = try PNGReader.decode(try cjk.labelledPNGData())
        let layout = cjk.pngLayout()
        #expect(Self.inkPixels(png, x: 0..<layout.gridX, y: 0..<png.height) > 30)
        #expect(layout.gridX > latin.pngLayout().gridX - 30)
        let long = try Heatmap([[1]], rowLabels: [String(repeating: "x", count: 5000)])
        #expect(long.pngLayout().gridX < 8 + Heatmap.longestPNGLabel + 20)
    }
}
