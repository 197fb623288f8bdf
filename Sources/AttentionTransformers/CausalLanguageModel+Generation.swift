import Attention

extension CausalLanguageModel {
    /// Continues `prompt` by up to `maxNewTokens` tokens chosen with `strategy` (temperature 0 is greedy), stopping
    /// after a token for which `stop` returns true (that token is kept). `onToken` sees each token as soon as it is
    /// chosen (streaming). Returns the new tokens only.
    ///
    /// With `useCache` (the default) each step feeds one position and reuses every earlier key and value;
    /// without it each step recomputes the whole window. Both see the same window, so they choose the same tokens:
    /// the model reads at most `context` positions, and when the text outgrows them the window jumps forward to
    /// the last ⌈context/2⌉ tokens (the cache is rebuilt once from those), rather than sliding one by one, which
    /// would make every step recompute the window.
    public func generate(prompt: [Int], maxNewTokens: Int, strategy: SamplingStrategy = .greedy, useCache: Bool = true,
                         stop: ((Int) -> Bool)? = nil, onToken: ((Int) -> Void)? = nil) -> [Int] {
        precondition(!prompt.isEmpty, "CausalLanguageModel.generate: the prompt is empty (give at least one token)")
        precondition(maxNewTokens >= 0, "CausalLanguageModel.generate: maxNewTokens \(maxNewTokens) must be ≥ 0")
        let context = configuration.context
        let keep = (context + 1) / 2
        var rng = RandomGenerator(seed: { if case let .sample(_, _, _, seed) = strategy { return seed }; return 0 }())
        let cache = useCache ? makeCache() : nil
        var tokens = prompt, generated: [Int] = []
        var start = 0, cached = 0   // the window is tokens[start...]; its first `cached` tokens are in the cache
        if tokens.count - start > context { start = tokens.count - keep }
        withoutGradients {
            for _ in 0..<maxNewTokens {
                if tokens.count - start > context {
                    start = tokens.count - keep
                    cache?.reset()
                    cached = 0
                }
                let input = Array(tokens[(start + (cache == nil ? 0 : cached))...])
                let logits = self([input], cache: cache)                              // [1, T, V]
                cached = tokens.count - start
                let (t, v) = (logits.shape[1], logits.shape[2])
                let last = logits.slice(axis: 1, (t - 1)..<t).reshaped([v]).doubles
                let next: Int
                switch strategy {
                case .greedy: next = TokenSampler.argmax(last)
                case let .sample(temperature, topK, topP, _):
                    next = temperature == 0 ? TokenSampler.argmax(last)
                        : TokenSampler.draw(TokenSampler.probabilities(logits: last, temperature: temperature, topK: topK, topP: topP),
                                            using: &rng)
                }
                tokens.append(next)
                generated.append(next)
                onToken?(next)
                if stop?(next) == true { break }
            }
        }
        return generated
    }

    /// Mean negative log-likelihood in nats of each token after the first of every row, predicted from the
    /// tokens before it: the windows are read in chunks of at most `context` positions, each chunk starting
    /// fresh after half a context of the previous one (so every predicted token but the first half-window sees at
    /// least ⌊context/2⌋ tokens of history). Returns (total nats, tokens predicted).
    public func negativeLogLikelihood(_ tokens: [Int]) -> (nats: Double, count: Int) {
        guard tokens.count >= 2 else { return (0, 0) }
        let context = configuration.context
        let stride = max(1, context / 2)
        var total = 0.0, count = 0
        var predictedUpTo = 0   // targets tokens[1...predictedUpTo] are scored
        var start = 0
        withoutGradients {
            while predictedUpTo < tokens.count - 1 {
                let end = min(start + context, tokens.count - 1)         // inputs tokens[start..<end]
                let input = Array(tokens[start..<end])
                let logits = self([input])                                 // [1, T, V]
                let v = logits.shape[2]
                let logProbs = logits.reshaped([input.count, v]).logSoftmax(axis: -1).doubles
                for i in 0..<input.count {
                    let target = start + i + 1
                    guard target > predictedUpTo else { continue }
                    total -= logProbs[i * v + tokens[target]]
                    count += 1
                }
                predictedUpTo = end
                if end == tokens.count - 1 { break }
                start += stride
            }
        }
        return (total, count)
    }
}
