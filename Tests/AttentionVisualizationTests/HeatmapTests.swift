import Foundation
import AttentionTensorCore
import Testing
@testable import AttentionVisualization

/// The `HeatmapError` `body` throws, or nil (also for any other error, which then fails the comparison that follows).
func thrown(_ body: () throws -> Void) -> HeatmapError? {
    do {
        try body()
        return nil
    } catch {
        return error as? HeatmapError
    }
}

@Suite("Heatmap construction and errors")
struct HeatmapTests {
    @Test("Default range is 0…max(1, largest) for weights, min(0, smallest) below; explicit range kept")
    func ranges() throws {
        #expect(try Heatmap([[0.2, 0.7]]).range == 0...1)
        #expect(try Heatmap([[0.2, 3.5]]).range == 0...3.5)
        #expect(try Heatmap([[-2, 0.5]]).range == -2...1)
        let explicit = try Heatmap([[0.2, 0.7]], range: 0.25...0.75)
        #expect(explicit.range == 0.25...0.75)
        #expect(explicit.position(of: 0.5) == 0.5)
        #expect(explicit.position(of: 0.375) == 0.25)
        #expect(explicit.position(of: 9) == 1)
        #expect(explicit.position(of: -9) == 0)
    }

    @Test("Every error case names what was expected and what was found")
    func errorMessages() throws {
        let cases: [(HeatmapError?, String)] = [
            (thrown { _ = try Heatmap([]) },
             "Heatmap: empty matrix (0 rows × 0 columns), expected at least 1 × 1"),
            (thrown { _ = try Heatmap([[], []]) },
             "Heatmap: empty matrix (2 rows × 0 columns), expected at least 1 × 1"),
            (thrown { _ = try Heatmap([[0.5, 0.5], [1.0]]) },
             "Heatmap: row 1 has 1 value, expected 2 (the length of row 0)"),
            (thrown { _ = try Heatmap([[0.5], [0.5, 0.1, 0.2]]) },
             "Heatmap: row 1 has 3 values, expected 1 (the length of row 0)"),
            (thrown { _ = try Heatmap([[0.5]], rowLabels: ["a", "b"]) },
             "Heatmap: found 2 row labels, expected 1 (one per row) or none"),
            (thrown { _ = try Heatmap([[0.5, 0.5]], columnLabels: ["k"]) },
             "Heatmap: found 1 column labels, expected 2 (one per column) or none"),
            (thrown { _ = try Heatmap([[0.5], [.nan]]) },
             "Heatmap: value nan at row 1, column 0, expected a finite number"),
            (thrown { _ = try Heatmap([[0.5, -.infinity]]) },
             "Heatmap: value -inf at row 0, column 1, expected a finite number"),
            (thrown { _ = try Heatmap([[0.5]], range: 1...1) },
             "Heatmap: colour range 1.0…1.0 is invalid, expected finite bounds with lower < upper"),
            (thrown { _ = try Heatmap([[0.5]], range: -Double.infinity...0) },
             "Heatmap: colour range -inf…0.0 is invalid, expected finite bounds with lower < upper"),
            (thrown { _ = try Heatmap(Tensor([0.1, 0.9])) },
             "Heatmap: tensor of shape [2] (rank 1), expected rank 2 ([L, S])"),
            (thrown { _ = try Heatmap.heads(Tensor([[0.1, 0.9]])) },
             "Heatmap: tensor of shape [1, 2] (rank 2), expected rank 3 ([H, L, S])"),
            (thrown { _ = try Heatmap([[0.5]]).pngData(cellSize: 0) },
             "Heatmap: cell size 0 px, expected at least 1"),
            (thrown { _ = try Heatmap([[0.5]]).pngData(cellSize: 20_000) },
             "Heatmap: image of 20000 × 20000 px is too large, expected at most 1073741824 bytes of pixel data"),
            (thrown { _ = try HeatmapFormat(fileExtension: "jpg") },
             "Heatmap: extension \".jpg\", expected one of .png, .svg, .html, .htm, .txt (or pass format:)"),
            (thrown { _ = try HeatmapFormat(url: URL(fileURLWithPath: "/tmp/weights")) },
             "Heatmap: no extension, expected one of .png, .svg, .html, .htm, .txt (or pass format:)"),
            (.writeFailed(path: "/x/y.png", reason: "No such file or directory"),
             "Heatmap: could not write /x/y.png: No such file or directory"),
        ]
        for (error, message) in cases {
            #expect(error?.description == message)
            #expect(error?.localizedDescription == message)
        }
        // The payloads, for code that handles errors rather than printing them.
        guard case .nonFiniteValue(1, 0, let v)? = thrown({ _ = try Heatmap([[0.5], [.nan]]) }) else {
            Issue.record("expected nonFiniteValue")
            return
        }
        #expect(v.isNaN)
        guard case .labelCountMismatch(.columns, 2, 1)? = thrown({ _ = try Heatmap([[1, 2]], columnLabels: ["k"]) }) else {
            Issue.record("expected labelCountMismatch")
            return
        }
    }

    @Test("From a rank-2 tensor, Float32 or Float64: rows are queries, columns keys")
    func fromTensor() throws {
        let f32 = try Heatmap(Tensor([[0.25, 0.75], [0.5, 0.5], [1, 0]]), rowLabels: ["a", "b", "c"])
        #expect(f32.values == [[0.25, 0.75], [0.5, 0.5], [1, 0]])
        #expect(f32.rows == 3 && f32.columns == 2)
        let f64 = try Heatmap(Tensor(shape: [1, 3], doubles: [0.3619, 0.3805, 0.2576]))
        #expect(f64.values == [[0.3619, 0.3805, 0.2576]])
        // A transposed view: keys become rows.
        let t = try Heatmap(Tensor([[0.25, 0.75], [0.5, 0.5]]).transposed(0, 1))
        #expect(t.values == [[0.25, 0.5], [0.75, 0.5]])
        #expect(thrown { _ = try Heatmap(Tensor.zeros([0, 4])) }?.description
            == "Heatmap: empty matrix (0 rows × 0 columns), expected at least 1 × 1")
        #expect(thrown { _ = try Heatmap(Tensor(shape: [1, 2], scalars: [0.5, .nan])) }?.description
            == "Heatmap: value nan at row 0, column 1, expected a finite number")
    }

    @Test("A rank-3 tensor [H, L, S] gives one heatmap per head, titled by head")
    func heads() throws {
        let weights = Tensor(shape: [2, 2, 3], doubles: [0.1, 0.2, 0.7, 0.3, 0.3, 0.4,
                                                          1.0, 0.0, 0.0, 0.5, 0.25, 0.25])
        let maps = try Heatmap.heads(weights, rowLabels: ["q0", "q1"], columnLabels: ["a", "b", "c"], title: "layer 0")
        #expect(maps.count == 2)
        #expect(maps[0].values == [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
        #expect(maps[1].values == [[1.0, 0.0, 0.0], [0.5, 0.25, 0.25]])
        #expect(maps.map(\.title) == ["layer 0 — head 0", "layer 0 — head 1"])
        #expect(try Heatmap.heads(weights).map(\.title) == ["head 0", "head 1"])
        #expect(thrown { _ = try Heatmap.heads(weights, rowLabels: ["only one"]) }?.description
            == "Heatmap: found 1 row labels, expected 2 (one per row) or none")
    }
}
