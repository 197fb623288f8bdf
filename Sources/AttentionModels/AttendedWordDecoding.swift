import Attention
import AttentionTraining

/// The word decoder the caption model and the speech recogniser share (show-attend-tell, listen-attend-spell): at
/// each step a GRU state looks at the encoder's tokens through additive attention, reads the previous word and the
/// context, and emits the next word from the new state and the context.
///
///     (c_t, α_t) = attention(s_{t−1}, tokens)          context [B, D], weights [B, N]
///     s_t = GRU([embed(y_{t−1}); c_t], s_{t−1})        [B, H]
///     logits_t = W·[s_t; c_t] + b                      [B, V]
///
/// The models own the layers (their parameter names stay theirs); this is the arithmetic they have in common.
enum AttendedWordDecoding {
    /// One step: previous word ids [B] and state [B, H] → (logits [B, V], new state [B, H], attention [B, N]).
    /// `lengths`, when given, masks each row's padded tokens.
    static func step(_ previous: [Int], state: Tensor, projectedKeys: Tensor, values: Tensor, lengths: [Int]? = nil,
                     attention: BahdanauAttention, embedding: Embedding, cell: GRUCell,
                     output: Linear) -> (logits: Tensor, state: Tensor, weights: Tensor) {
        let (context, weights) = attention(query: state, projectedKeys: projectedKeys, values: values, lengths: lengths)
        let embedded = embedding(previous, shape: [previous.count])                              // [B, E]
        let next = cell(Tensor.concatenate([embedded, context], axis: 1), hidden: state)        // [B, H]
        return (output(Tensor.concatenate([next, context], axis: 1)), next, weights)           // [B, V]
    }

    /// Mean cross-entropy of every target word and the final `end` under teacher forcing, from state `initial`;
    /// every row of the batch has the same number k of words, so the k + 1 steps need no padding.
    static func teacherForcedLoss(targets: [[Int]], start: Int, end: Int, initial: Tensor, labelSmoothing: Double = 0,
                                  step: (_ previous: [Int], _ state: Tensor) -> (logits: Tensor, state: Tensor)) -> Tensor {
        let k = targets[0].count
        var state = initial, logits: [Tensor] = [], expected: [Int] = []
        for t in 0...k {
            let out = step(targets.map { t == 0 ? start : $0[t - 1] }, state)
            state = out.state
            logits.append(out.logits)
            expected += targets.map { t < k ? $0[t] : end }
        }
        return Loss.crossEntropy(logits: Tensor.concatenate(logits, axis: 0), targets: expected,
                                  labelSmoothing: labelSmoothing)   // over [(k+1)·B, V]
    }
}
