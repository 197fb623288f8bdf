import Foundation
import Testing
@testable import AttentionVisualization

/// Attention over a picture: the blend worked by hand, the validation, and the PNG and SVG it writes.
struct AttentionOverlayTests {
    static let image: [[Double]] = [[0, 0.5], [1, 0.25]]
    static let attention: [[Double]] = [[0.1, 0.3], [0.5, 0.1]]

    @Test("pixel colour: grey of the image, mixed with colorMap(t) at opacity 0.8·t, t = (a − min)/(max − min)")
    func blend() throws {
        let overlay = try AttentionOverlay(title: "t", panels: [.init(image: Self.image, attention: Self.attention, caption: "c"),
                                                                  .init(image: Self.image, attention: [[0, 0], [0, 0]], caption: "plain")])
        // The least attended pixels are the plain image: (0, 0) white, (1, 1) 75 % white.
        #expect(overlay.color(panel: 0, row: 0, column: 0) == RGB8(255, 255, 255))
        #expect(overlay.color(panel: 0, row: 1, column: 1) == RGB8(191, 191, 191))
        // The most attended pixel (1, 0): black ink under 80 % of the colour map's top.
        let top = ColorMap.attention.color(at: 1)
        func mix(_ h: UInt8, _ grey: Double, _ alpha: Double) -> UInt8 { UInt8((Double(h) * alpha + grey * (1 - alpha)).rounded()) }
        #expect(overlay.color(panel: 0, row: 1, column: 0) == RGB8(mix(top.red, 0, 0.8), mix(top.green, 0, 0.8), mix(top.blue, 0, 0.8)))
        // (0, 1): t = 0.5, grey 127.5 → 128.
        let mid = ColorMap.attention.color(at: 0.5)
        #expect(overlay.color(panel: 0, row: 0, column: 1) == RGB8(mix(mid.red, 128, 0.4), mix(mid.green, 128, 0.4), mix(mid.blue, 128, 0.4)))
        // Equal weights everywhere: the plain image.
        #expect(overlay.color(panel: 1, row: 0, column: 1) == RGB8(128, 128, 128))
    }

    @Test("bad panels are named errors: none, ragged rows, an attention map of another size, NaN, a negative weight")
    func validation() {
        func error(_ panels: [AttentionOverlay.Panel]) -> HeatmapError? {
            do { _ = try AttentionOverlay(title: nil, panels: panels); return nil } catch { return error }
        }
        #expect(error([]) == .empty(rows: 0, columns: 0))
        #expect(error([.init(image: [[0, 1], [0]], attention: [[0, 1], [0, 1]], caption: "")]) == .raggedRows(row: 1, expected: 2, found: 1))
        #expect(error([.init(image: Self.image, attention: [[0, 1]], caption: "")]) != nil)
        if case .nonFiniteValue(0, 1, let v)? = error([.init(image: Self.image, attention: [[0, .nan], [0, 1]], caption: "")]) { #expect(v.isNaN) } else { Issue.record("NaN not refused") }
        #expect(error([.init(image: Self.image, attention: [[0, 1], [-0.5, 1]], caption: "")]) == .negativeWeight(row: 1, column: 0, value: -0.5))
    }

    @Test("PNG: panels of pixelSize squares where the geometry says, scale repeats pixels; SVG: one rect per pixel, tooltips")
    func files() throws {
        let overlay = try AttentionOverlay(title: "digit 4", panels: [.init(image: Self.image, attention: Self.attention, caption: "rollout")])
        let raster = try overlay.raster(pixelSize: 10)
        let g = overlay.geometry(pixelSize: 10)
        #expect(raster.width == g.width && raster.height == g.height)
        let x0 = 8 + (g.panelWidth - 20) / 2
        #expect(raster.pixel(x: x0 + 15, y: g.top + 5) == overlay.color(panel: 0, row: 0, column: 1))
        #expect(raster.pixel(x: x0 + 2, y: g.top + 12) == overlay.color(panel: 0, row: 1, column: 0))
        #expect(try overlay.raster(pixelSize: 10, scale: 2) == raster.scaled(by: 2))
        let svg = overlay.svg(pixelSize: 10)
        #expect(svg.components(separatedBy: "class=\"pixel\"").count - 1 == 4)
        #expect(svg.contains("(1, 0): attention 0.5000") && svg.contains(">rollout</text>") && !svg.contains("http://www.w3.org/1999"))
        #expect(throws: HeatmapError.invalidScale(0)) { try overlay.raster(scale: 0) }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("overlay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try overlay.write(to: dir.appendingPathComponent("a.png"))
        try overlay.write(to: dir.appendingPathComponent("a.html"))
        #expect(throws: HeatmapError.self) { try overlay.write(to: dir.appendingPathComponent("a.txt")) }
        #expect(throws: HeatmapError.self) { try overlay.write(to: dir.appendingPathComponent("missing/a.png")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.html", "a.png"])
        let png = try PNGReader.decode([UInt8](try Data(contentsOf: dir.appendingPathComponent("a.png"))))
        let g16 = overlay.geometry(pixelSize: 16)
        #expect(png.width == g16.width && png.height == g16.height)
    }
}
