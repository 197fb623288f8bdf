// Pictures of attention: heatmaps of weight matrices (rows = queries, columns = keys) as PNG, SVG, self-contained
// HTML and terminal text. Imports only AttentionTensorCore (see ARCHITECTURE.md).
//
// The pieces: `Heatmap` (validated values, labels, range, colour map), `ColorMap` / `RGB8` (perceptually ordered
// maps), the renderers `Heatmap.pngData` (own encoder, `PNGEncoder`, with `CRC32` and `Adler32`), `Heatmap.svg`,
// `Heatmap.html`, `Heatmap.terminal`, and `Heatmap.write(to:format:cellSize:)` with `HeatmapFormat`.
//
// ```swift
// import AttentionVisualization
// let map = try Heatmap([[0.3619, 0.3805, 0.2576]], rowLabels: ["s0"], columnLabels: ["Bonjour", "le", "monde"])
// print(map.terminal(ansi: true))
// try map.write(to: URL(fileURLWithPath: "alignment.html"))
// ```
