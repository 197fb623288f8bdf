import Testing
import Attention

/// API misuse stops with a message naming the shapes in every build, `-O` included (the package's `precondition`,
/// AttentionSupport, shadows the standard one, which drops its message when optimised). Run in a child process:
/// a stop cannot be caught.
@Suite("Misuse messages survive optimised builds")
struct MisuseMessageTests {
    @Test("a tensor-core misuse (reshape to another count) prints its message")
    func tensorCore() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        let text = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(text.contains("[2, 3]") && text.contains("[4, 2]"), "stderr was: \(text)")
    }

    @Test("an attention misuse (query of rank 3) prints its message")
    func attention() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let q = Tensor.zeros([1, 4, 8])
            _ = FlashAttention.forward(query: q, key: q, value: q)
        }
        let text = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(text.contains("FlashAttention: need query [B, H, L, E]"), "stderr was: \(text)")
    }
}
