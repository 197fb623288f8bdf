import Testing
@testable import AttentionTensorCore

/// Element counts that overflow Int are refused with the shape, never a bare overflow trap.
struct ShapeLimitTests {
    @Test func checkedCount() {
        #expect(Shape.checkedCount([3, 4, 5]) == 60 && Shape.checkedCount([]) == 1)
        #expect(Shape.checkedCount([Int.max, 2]) == nil)
        #expect(Shape.checkedCount([4_000_000_000, 4_000_000_000, 4]) == nil)
        #expect(Shape.checkedCount([4_000_000_000, 4_000_000_000, 0]) == 0)   // empty, whatever the other dims
        #expect(Shape.checkedCount([2, -1]) == nil)
    }

    @Test func countStopsWithTheShape() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Shape.count([4_000_000_000, 4_000_000_000, 4])
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("shape [4000000000, 4000000000, 4]") && text.contains("Int.max"), "\(text)")
        }
    }
}
