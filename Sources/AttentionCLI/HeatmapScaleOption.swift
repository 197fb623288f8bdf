import ArgumentParser

/// `--scale`, shared by every command that writes `--heatmap`: the PNG's pixel density.
struct HeatmapScaleOption: ParsableArguments {
    @Option(help: """
        Pixel density of a .png --heatmap, 1–8 (2 for high-density screens). PNG text covers Latin, Greek and \
        Cyrillic; other scripts (CJK, …) show as boxes there — use .svg or .html for them.
        """)
    var scale: Int = 1

    func validate() throws {
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be in 1...8, got \(scale)") }
    }
}
