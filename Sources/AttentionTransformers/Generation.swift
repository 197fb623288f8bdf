import Attention
import Foundation

/// How the next token is chosen from the logits of a step.
public enum SamplingStrategy: Sendable, Equatable {
    /// The most likely token (ties: the lowest id).
    case greedy
    /// A draw from softmax(logits / temperature), restricted to the `topK` most likely tokens and then to the
    /// smallest set whose probability reaches `topP` (nucleus sampling). Seeded: the same seed gives the same text.
    /// Temperature 0 is greedy.
    case sample(temperature: Double = 1, topK: Int? = nil, topP: Double? = nil, seed: UInt64 = 0)
}

/// Token choice from one row of logits, as plain functions (tested on their own).
public enum TokenSampler {
    /// The distribution a sampling strategy draws from: softmax(logits / T), then top-k (keep the k largest, ties
    /// broken by lower id), then top-p (keep tokens in order of probability until their sum reaches p; the first
    /// token is always kept), renormalised. Filtered tokens get probability 0.
    public static func probabilities(logits: [Double], temperature: Double = 1, topK: Int? = nil, topP: Double? = nil) -> [Double] {
        precondition(!logits.isEmpty, "TokenSampler: empty logits")
        precondition(temperature > 0, "TokenSampler: temperature \(temperature) must be > 0 (use greedy for 0)")
        if let k = topK { precondition(k >= 1, "TokenSampler: topK \(k) must be ≥ 1") }
        if let p = topP { precondition(p > 0 && p <= 1, "TokenSampler: topP \(p) must be in (0, 1]") }
        let scaled = logits.map { $0 / temperature }
        let m = scaled.max()!
        var probs = scaled.map { Foundation.exp($0 - m) }
        var total = probs.reduce(0, +)
        probs = probs.map { $0 / total }
        let order = probs.indices.sorted { probs[$0] > probs[$1] || (probs[$0] == probs[$1] && $0 < $1) }
        var keep = order.count
        if let k = topK { keep = min(keep, k) }
        if let p = topP {
            // Renormalise over the top-k survivors first, so top-p sees the distribution top-k left.
            let kept = order.prefix(keep).reduce(0) { $0 + probs[$1] }
            var cumulative = 0.0, n = 0
            for i in order.prefix(keep) {
                cumulative += probs[i] / kept
                n += 1
                if cumulative >= p { break }
            }
            keep = n
        }
        var filtered = [Double](repeating: 0, count: probs.count)
        for i in order.prefix(keep) { filtered[i] = probs[i] }
        total = filtered.reduce(0, +)
        return filtered.map { $0 / total }
    }

    /// An index drawn from `probabilities` (which sum to 1) with one uniform number.
    public static func draw(_ probabilities: [Double], using rng: inout RandomGenerator) -> Int {
        let u = rng.uniform()
        var cumulative = 0.0
        var last = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += p
            last = i
            if u < cumulative { return i }
        }
        return last   // rounding left the sum a hair below 1
    }

    /// The index of the largest logit (the lowest among ties).
    public static func argmax(_ logits: [Double]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }
}

/// Options of a generation run.
public struct GenerationOptions: Sendable {
    /// Token every target starts with.
    public var startID: Int
    /// Token that ends a target (kept in the output).
    public var endID: Int
    /// Most tokens generated after the start token.
    public var maxNewTokens: Int
    /// Decode with a key–value cache (one position per step) instead of recomputing the prefix; same result.
    public var useCache: Bool

    /// Options for decoding from `startID` until `endID` or `maxNewTokens` tokens.
    public init(startID: Int, endID: Int, maxNewTokens: Int = 64, useCache: Bool = true) {
        self.startID = startID
        self.endID = endID
        self.maxNewTokens = maxNewTokens
        self.useCache = useCache
    }
}

/// A finished beam: its tokens (start token first), the sum of their log-probabilities and the score beams are
/// ranked by, logProbability / length^lengthPenalty.
public struct BeamHypothesis: Sendable, Equatable {
    /// The tokens, start token first (and the end token when the beam reached it).
    public let tokens: [Int]
    /// The sum of the tokens' log-probabilities (natural log).
    public let logProbability: Double
    /// logProbability / length^lengthPenalty: what the beams are ranked by.
    public let score: Double
}

extension Seq2SeqTransformer {
    /// Log-softmax of the last position's logits, one row per batch element, from the prefixes `tokens` (the
    /// cache, if any, already holds all but the last token of each).
    func nextLogits(_ tokens: [[Int]], source: EncodedSource, cache: TransformerDecoderCache?) -> [[Double]] {
        let input = cache == nil ? tokens : tokens.map { [$0.last!] }
        let logits = withoutGradients { decode(input, source: source, cache: cache) }       // [B, T, V]
        let (b, t, v) = (logits.shape[0], logits.shape[1], logits.shape[2])
        let last = logits.slice(axis: 1, (t - 1)..<t).reshaped([b, v]).doubles
        return (0..<b).map { Array(last[($0 * v)..<(($0 + 1) * v)]) }
    }

    /// Generates one target per source with `strategy`. Each output starts with the start token and stops after
    /// the end token or `maxNewTokens`.
    public func generate(sources: [[Int]], options: GenerationOptions, strategy: SamplingStrategy = .greedy) -> [[Int]] {
        let source = withoutGradients { encode(sources) }
        let cache = options.useCache ? transformer.decoder.makeCache() : nil
        var rng = RandomGenerator(seed: { if case let .sample(_, _, _, seed) = strategy { return seed }; return 0 }())
        var tokens = sources.map { _ in [options.startID] }
        var done = sources.map { _ in false }
        for _ in 0..<options.maxNewTokens where !done.allSatisfy({ $0 }) {
            let logits = nextLogits(tokens, source: source, cache: cache)
            for (row, l) in logits.enumerated() {
                // A finished row still runs (batch shapes stay equal) but its choice is ignored.
                let next: Int
                switch strategy {
                case .greedy: next = TokenSampler.argmax(l)
                case let .sample(temperature, topK, topP, _):
                    next = temperature == 0 ? TokenSampler.argmax(l)
                        : TokenSampler.draw(TokenSampler.probabilities(logits: l, temperature: temperature, topK: topK, topP: topP), using: &rng)
                }
                tokens[row].append(done[row] ? options.endID : next)
                if next == options.endID { done[row] = true }
            }
        }
        // Rows that finished early were padded with end tokens; cut after the first one.
        return tokens.map { t in
            guard let end = t.dropFirst().firstIndex(of: options.endID) else { return t }
            return Array(t[...end])
        }
    }

    /// Beam search for one source: keeps the `beamWidth` best prefixes by summed log-probability; a prefix that
    /// emits the end token is finished and ranked by logProbability / length^lengthPenalty (length counts
    /// generated tokens). Stops when `beamWidth` hypotheses are finished and no live beam can beat the worst of
    /// them, or after `maxNewTokens`. Returns up to `beamWidth` hypotheses, best first.
    public func beamSearch(source tokens: [Int], beamWidth k: Int, options: GenerationOptions,
                           lengthPenalty: Double = 1) -> [BeamHypothesis] {
        precondition(k >= 1, "beamSearch: beamWidth \(k) must be ≥ 1")
        // k copies from the start, so the batch shape never changes; only beam 0 is live at first.
        let source = withoutGradients { select(encode([tokens]), rows: Array(repeating: 0, count: k)) }
        let cache = options.useCache ? transformer.decoder.makeCache() : nil
        var beams = Array(repeating: [options.startID], count: k)
        var scores = [0.0] + Array(repeating: -Double.infinity, count: k - 1)
        var finished: [BeamHypothesis] = []
        func normalised(_ logp: Double, _ length: Int) -> Double { logp / Foundation.pow(Double(max(length, 1)), lengthPenalty) }

        for step in 1...max(options.maxNewTokens, 1) {
            let logits = nextLogits(beams, source: source, cache: cache)
            var candidates: [(score: Double, beam: Int, token: Int)] = []
            for (b, row) in logits.enumerated() where scores[b] > -.infinity {
                let m = row.max()!
                let logZ = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
                for (token, x) in row.enumerated() { candidates.append((scores[b] + x - logZ, b, token)) }
            }
            candidates.sort { $0.score > $1.score || ($0.score == $1.score && ($0.beam, $0.token) < ($1.beam, $1.token)) }
            var nextBeams: [[Int]] = [], nextScores: [Double] = [], parents: [Int] = []
            for c in candidates where nextBeams.count < k {
                let seq = beams[c.beam] + [c.token]
                if c.token == options.endID {
                    finished.append(BeamHypothesis(tokens: seq, logProbability: c.score, score: normalised(c.score, step)))
                } else {
                    nextBeams.append(seq); nextScores.append(c.score); parents.append(c.beam)
                }
            }
            finished.sort { $0.score > $1.score }
            if finished.count > k { finished.removeLast(finished.count - k) }
            let bestLive = nextScores.max().map { normalised($0, step) } ?? -.infinity
            // The usual stopping rule: once k hypotheses are finished, stop when the best live beam, scored at its
            // current length, no longer beats the worst of them.
            if nextBeams.isEmpty || (finished.count == k && bestLive <= finished.last!.score) { break }
            while nextBeams.count < k { nextBeams.append(nextBeams[0]); nextScores.append(-.infinity); parents.append(parents[0]) }
            cache?.reorder(batch: parents)
            beams = nextBeams
            scores = nextScores
            if step == options.maxNewTokens {
                for (b, s) in zip(beams, scores) where s > -.infinity {
                    finished.append(BeamHypothesis(tokens: b, logProbability: s, score: normalised(s, step)))
                }
            }
        }
        finished.sort { $0.score > $1.score }
        return Array(finished.prefix(k))
    }
}
