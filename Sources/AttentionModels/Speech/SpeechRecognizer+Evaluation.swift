import Foundation
import Attention
import AttentionAudio
import AttentionSafeTensors

extension SpeechRecognizer {
    /// One recognised utterance: the words said and where each looked.
    public struct Recognition: Sendable, Equatable {
        /// Word ids 0…9 emitted before <eos> (at most `maxWords`).
        public let words: [Int]
        /// [word][T]: word t's attention over the feature frames (10 ms each by default); each token's weight is
        /// spread evenly over its s frames (the last token's over the frames it has), so a row sums to 1.
        public let alignment: [[Double]]
        /// For each word, the centre in seconds of the encoder token it attended to most.
        public let peaks: [Double]
        /// False when decoding stopped at `maxWords` without <eos>.
        public let reachedEnd: Bool
        /// The words said, as text ("three", "seven", …).
        public var text: [String] { words.map { SpeechRecognizer.words[$0] } }
    }

    /// Greedy recognition of normalised features [B][T][M], in batches of `batchSize` utterances of similar length.
    public func recognise(_ utterances: [[[Double]]], batchSize: Int = 64) -> [Recognition] {
        var out = [Recognition?](repeating: nil, count: utterances.count)
        let order = utterances.indices.sorted { utterances[$0].count < utterances[$1].count }
        withoutGradients {
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let chunk = Array(order[start..<min(start + batchSize, order.count)])
                for (i, r) in zip(chunk, decode(chunk.map { utterances[$0] })) { out[i] = r }
            }
        }
        return out.map { $0! }
    }

    /// Reads a WAV file and recognises it.
    public func recognise(file path: String) throws(WAVError) -> Recognition {
        let wav = try WAVFile(contentsOf: path)
        return recognise(wav)
    }

    /// Recognises decoded audio (any rate; a file too short for one frame still gives one).
    public func recognise(_ wav: WAVFile) -> Recognition {
        recognise([Self.normalised(features(samples: wav.samples, sampleRate: wav.sampleRate))])[0]
    }

    func decode(_ batch: [[[Double]]]) -> [Recognition] {
        let c = configuration, b = batch.count
        let e = encode(batch)
        let n = e.states.shape[1]
        var state = e.initial, previous = [Int](repeating: Self.startOfUtterance, count: b)
        var words = [[Int]](repeating: [], count: b), maps = [[[Double]]](repeating: [], count: b)
        var peaks = [[Double]](repeating: [], count: b), ended = [Bool](repeating: false, count: b)
        for _ in 0...c.maxWords where ended.contains(false) {
            let s = step(previous, state: state, e)
            state = s.state
            previous = s.logits.argmax(axis: 1)
            let weights = s.weights.cast(to: .float64).doubles                                // [B, N]
            for i in 0..<b where !ended[i] {
                if previous[i] == Self.endOfUtterance { ended[i] = true; continue }
                if words[i].count == c.maxWords { continue }
                let row = Array(weights[(i * n)..<(i * n + e.lengths[i])])
                words[i].append(previous[i])
                maps[i].append(frameMap(row, frames: batch[i].count))
                peaks[i].append(c.tokenCentre(row.indices.max { row[$0] < row[$1] } ?? 0))
            }
        }
        return (0..<b).map { Recognition(words: words[$0], alignment: maps[$0], peaks: peaks[$0], reachedEnd: ended[$0]) }
    }

    /// Token weights [N] → frames [T]: token j's weight divided evenly among frames sj … min(sj + s, T) − 1.
    func frameMap(_ weights: [Double], frames t: Int) -> [[Double]].Element {
        let s = configuration.stride
        return (0..<t).map { f in
            let j = f / s, width = min(s, t - j * s)
            return j < weights.count ? weights[j] / Double(width) : 0
        }
    }

    /// Figures on a set of utterances.
    public struct Evaluation: Sendable, Equatable {
        /// The number of utterances scored.
        public let utterances: Int
        /// Word error rate: (substitutions + deletions + insertions) / reference words, from the edit distance.
        public let wordErrorRate: Double
        /// Share of emitted words whose attention peak lies inside the time span of the reference word in the same
        /// place (word i against span i; a word past the reference's last is not aligned).
        public let alignment: Double
        /// Words emitted in all.
        public let words: Int
    }

    /// The figures of `results` against the utterances' words and word time spans (one result per utterance).
    public static func score(_ results: [Recognition], _ utterances: [SpokenUtterance]) -> Evaluation {
        precondition(results.count == utterances.count, "SpeechRecognizer.score: \(results.count) results for \(utterances.count) utterances")
        var emitted = 0, aligned = 0
        for (r, u) in zip(results, utterances) {
            for (i, peak) in r.peaks.enumerated() {
                emitted += 1
                if i < u.spans.count && u.spans[i].contains(peak) { aligned += 1 }
            }
        }
        return Evaluation(utterances: utterances.count,
                          wordErrorRate: WordErrorRate.rate(hypotheses: results.map(\.words), references: utterances.map(\.words)),
                          alignment: emitted == 0 ? 0 : Double(aligned) / Double(emitted), words: emitted)
    }

    /// Recognises a split of the corpus and scores it.
    public func evaluate(_ corpus: SpeechCorpus, split: String, threads: Int = 2) throws(SpeechError) -> Evaluation {
        let list = corpus.utterances(in: split)
        guard !list.isEmpty else { throw .data("\(corpus.directory): the manifest has no \(split) utterances") }
        return Self.score(recognise(try corpus.features(list, model: self, threads: threads)), list)
    }

    // MARK: Checkpoints

    /// The task name `attention listen` checkpoints carry; `load(from:)` refuses other tasks.
    public static let checkpointTask = "listen"

    /// Writes the weights, the configuration and the words as one safetensors file, atomically.
    public func save(to path: String) throws(CheckpointError) {
        try Checkpoint.write(self, task: Self.checkpointTask,
                             metadata: ["config": Checkpoint.encode(configuration), "words": Checkpoint.encode(Self.words)],
                             to: path)
    }

    /// Reads a model written by `save(to:)`.
    /// - Throws: `CheckpointError` naming the file: unreadable, another task, a bad configuration, or a missing or misshapen tensor.
    public static func load(from path: String) throws(CheckpointError) -> SpeechRecognizer {
        let file = try Checkpoint.open(path: path, task: checkpointTask)
        let configuration = try Checkpoint.decode(Configuration.self, "config", in: file, path: path)
        let words = try Checkpoint.decode([String].self, "words", in: file, path: path)
        guard words == Self.words else {
            throw .badMetadata(path: path, key: "words", reason: "expected the ten digit words zero…nine, found \(words)")
        }
        let model: SpeechRecognizer
        do {
            var rng = RandomGenerator(seed: 0)
            model = try SpeechRecognizer(configuration, rng: &rng)
        } catch { throw .badMetadata(path: path, key: "config", reason: error.description) }
        try Checkpoint.load(model, from: file, path: path)
        model.eval()
        return model
    }
}
