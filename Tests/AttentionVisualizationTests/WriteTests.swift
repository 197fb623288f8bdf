import Foundation
import Testing
@testable import AttentionVisualization

@Suite("Writing files")
struct WriteTests {
    /// A fresh empty directory, removed by the caller.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("viz-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }

    static func contents(of directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test("Formats from extensions, case-insensitively")
    func formats() throws {
        let pairs: [(String, HeatmapFormat)] = [("png", .png), ("SVG", .svg), ("html", .html), ("Htm", .html),
                                                ("txt", .terminal)]
        for (ext, format) in pairs { #expect(try HeatmapFormat(fileExtension: ext) == format) }
        #expect(try HeatmapFormat(url: URL(fileURLWithPath: "/a/b/alignment.PNG")) == .png)
    }

    @Test("Each format written by extension reads back as its renderer's output; no temporary file remains")
    func writeEachFormat() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let map = try SVGTests.seedExample()
        for name in ["a.png", "a.svg", "a.html", "a.htm", "a.txt"] {
            try map.write(to: dir.appendingPathComponent(name), cellSize: 6)
        }
        try map.write(to: dir.appendingPathComponent("noext"), format: .png, cellSize: 6)
        #expect(try Self.contents(of: dir) == ["a.htm", "a.html", "a.png", "a.svg", "a.txt", "noext"])

        func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: dir.appendingPathComponent(name))) }
        let png = try PNGReader.decode(try bytes("a.png"))
        let layout = map.pngLayout(cellSize: 6)
        #expect(png.width == layout.width && png.height == layout.height)
        #expect(try bytes("a.png") == map.labelledPNGData(cellSize: 6))
        let c = ColorMap.attention.color(at: 0.3805)
        #expect(png.pixel(x: layout.gridX + 8, y: layout.gridY + 3) == [c.red, c.green, c.blue])
        #expect(try bytes("noext") == bytes("a.png"))
        #expect(String(decoding: try bytes("a.svg"), as: UTF8.self) == map.svg(cellSize: 6))
        #expect(String(decoding: try bytes("a.html"), as: UTF8.self) == map.html(cellSize: 6))
        #expect(try bytes("a.htm") == bytes("a.html"))
        #expect(String(decoding: try bytes("a.txt"), as: UTF8.self) == map.terminal(ansi: false))
    }

    @Test("Overwriting replaces the whole file")
    func overwrite() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.txt")
        try Data(repeating: 65, count: 10_000).write(to: url)
        let map = try Heatmap([[0.5]])
        try map.write(to: url)
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == map.terminal())
        #expect(try Self.contents(of: dir) == ["w.txt"])
    }

    @Test("A missing directory throws writeFailed and creates nothing")
    func missingDirectory() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("missing").appendingPathComponent("map.svg")
        let error = thrown { try Heatmap([[0.5]]).write(to: target) }
        guard case .writeFailed(let path, let reason)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(path == target.path)
        #expect(!reason.isEmpty)
        #expect(error?.description.hasPrefix("Heatmap: could not write \(target.path): ") == true)
        #expect(try Self.contents(of: dir).isEmpty)
    }

    @Test("A failed rename (target is a non-empty directory) removes the temporary file")
    func failedRename() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("taken.png")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data([1]).write(to: target.appendingPathComponent("inside"))
        let error = thrown { try Heatmap([[0.5]]).write(to: target) }
        guard case .writeFailed? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(try Self.contents(of: dir) == ["taken.png"])
        #expect(try Self.contents(of: target) == ["inside"])
    }

    @Test("Bad extension or cell size throws before anything is written")
    func earlyErrors() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let map = try Heatmap([[0.5]])
        #expect(thrown { try map.write(to: dir.appendingPathComponent("a.jpg")) }?.description
            == "Heatmap: extension \".jpg\", expected one of .png, .svg, .html, .htm, .txt (or pass format:)")
        #expect(thrown { try map.write(to: dir.appendingPathComponent("a.svg"), cellSize: 0) }?.description
            == "Heatmap: cell size 0 px, expected at least 1")
        #expect(try Self.contents(of: dir).isEmpty)
    }
}
