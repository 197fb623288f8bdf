import Testing
@testable import AttentionVisualization

@Suite("Terminal renderer")
struct TerminalTests {
    @Test("ASCII: padded labels, ramp ends for the range ends, columns and range lines")
    func ascii() throws {
        // 0.5 · 9 = 4.5 rounds to ramp[5] "+", 0.25 · 9 = 2.25 to ramp[2] ":".
        let map = try Heatmap([[0, 1], [0.5, 0.25]], rowLabels: ["a", "long"], columnLabels: ["k1", "k2"], title: "T")
        let lines = map.terminal().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "T",
            "a      @@",
            "long ++::",
            "columns: k1 | k2",
            "range 0…1 (min 0.0000, max 1.0000)",
            "",
        ])
    }

    @Test("ASCII picks the lowest and highest ramp characters at the range ends, clamping beyond them")
    func asciiExtremes() throws {
        let map = try Heatmap([[-1, 2, 3, 5]], range: 2...3)
        let line = map.terminal().split(separator: "\n")[0]
        #expect(line == "    @@@@")
        #expect(Heatmap.asciiRamp.first == " " && Heatmap.asciiRamp.last == "@")
        let unlabelled = try Heatmap([[0.2], [0.9], [0.4]]).terminal()
        #expect(unlabelled.split(separator: "\n").count == 3 + 1)  // 3 cell rows + range line
    }

    @Test("ANSI: one 24-bit background escape per cell with the cell's colour, reset per row")
    func ansi() throws {
        let values: [[Double]] = [[0.3619, 0.3805, 0.2576], [1, 0, 0.5]]
        let map = try Heatmap(values, rowLabels: ["s0", "s1"])
        let lines = map.terminal(ansi: true).split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + 1)
        for r in 0..<2 {
            var expected = "s\(r) "
            for c in 0..<3 {
                let rgb = ColorMap.attention.color(at: values[r][c])
                expected += "\u{1B}[48;2;\(rgb.red);\(rgb.green);\(rgb.blue)m  "
            }
            #expect(lines[r] == expected + "\u{1B}[0m")
        }
        #expect(lines[2] == "range 0…1 (min 0.0000, max 1.0000)")
    }

    @Test("Control characters in labels cannot inject escapes or break lines")
    func controlCharacters() throws {
        let map = try Heatmap([[1]], rowLabels: ["a\u{1B}[31mb\nc"], columnLabels: ["k\r"], title: "t\u{07}")
        let lines = map.terminal().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == ["t\u{FFFD}", "a\u{FFFD}[31mb\u{FFFD}c @@", "columns: k\u{FFFD}",
                          "range 0…1 (min 1.0000, max 1.0000)", ""])
    }
}
