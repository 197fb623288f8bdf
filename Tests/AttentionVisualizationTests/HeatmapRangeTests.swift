import Testing
@testable import AttentionVisualization

/// Ranges as wide as Double allows: upper − lower overflows to ∞, positions must not.
struct HeatmapRangeTests {
    @Test func fullDoubleRangeMapsEndsAndMiddle() throws {
        let map = try Heatmap([[-1.7e308, 1.7e308, 0, 8.5e307]])
        #expect(map.range == -1.7e308...1.7e308)
        #expect(map.position(of: -1.7e308) == 0 && map.position(of: 1.7e308) == 1)
        #expect(map.position(of: 0) == 0.5 && Swift.abs(map.position(of: 8.5e307) - 0.75) < 1e-15)
        #expect(map.color(row: 0, column: 0) == map.colorMap.color(at: 0))
        #expect(map.color(row: 0, column: 1) == map.colorMap.color(at: 1))
        // Every renderer completes (each used to stop on the NaN position).
        #expect(try !map.pngData().isEmpty)
        #expect(map.svg().contains("</svg>"))
        #expect(map.html().contains("</html>"))
        #expect(!map.terminal().isEmpty)
    }

    @Test func issueExample() throws {
        let map = try Heatmap([[-1e308, 1e308]])
        #expect(map.position(of: -1e308) == 0 && map.position(of: 1e308) == 1)
        #expect(!map.terminal(ansi: false).isEmpty)
    }
}
