import Foundation
import Attention
import AttentionSafeTensors

extension CaptionModel {
    /// One captioned strip: the digits said, left to right, and where each word looked.
    public struct Caption: Sendable, Equatable {
        /// The digits emitted before <eos> (at most `maxDigits`).
        public let digits: [Int]
        /// [word][8][8k]: word t's attention over the pixels (each token's weight spread evenly over its P×P
        /// pixels, so a map sums to 1).
        public let attention: [[[Double]]]
        /// False when the decoder emitted `maxDigits` words without ending the caption.
        public let reachedEnd: Bool
        /// The caption's words ("three", "seven", …).
        public var words: [String] { digits.map { DigitStrips.words[$0] } }
    }

    /// Greedy captions of strips (row-major 8 × 8k, values 0…16; k in 1...maxDigits, and strips may differ in k).
    public func caption(_ strips: [[Double]], batchSize: Int = 256) -> [Caption] {
        let c = configuration, cell = DigitStrips.cell
        var out = [Caption?](repeating: nil, count: strips.count)
        var byLength: [Int: [Int]] = [:]
        for (i, s) in strips.enumerated() {
            precondition(s.count % (cell * cell) == 0 && (1...c.maxDigits).contains(s.count / (cell * cell)),
                         "CaptionModel: a strip of \(s.count) pixels; this model reads 64·k for k in 1...\(c.maxDigits)")
            byLength[s.count / (cell * cell), default: []].append(i)
        }
        withoutGradients {
            for k in byLength.keys.sorted() {
                let members = byLength[k]!
                for start in stride(from: 0, to: members.count, by: batchSize) {
                    let chunk = Array(members[start..<min(start + batchSize, members.count)])
                    for (i, result) in zip(chunk, decode(chunk.map { strips[$0] }, digits: k)) { out[i] = result }
                }
            }
        }
        return out.map { $0! }
    }

    /// Greedy decoding of strips of k digits each.
    func decode(_ strips: [[Double]], digits k: Int) -> [Caption] {
        let c = configuration, b = strips.count, n = c.tokens(digits: k)
        let e = encode(strips, digits: k)
        var state = e.initial, previous = [Int](repeating: Self.startOfCaption, count: b)
        var digits = [[Int]](repeating: [], count: b), maps = [[[[Double]]]](repeating: [], count: b)
        var ended = [Bool](repeating: false, count: b)
        for _ in 0...c.maxDigits where ended.contains(false) {
            let step = step(previous, state: state, e)
            state = step.state
            previous = step.logits.argmax(axis: 1)
            let weights = step.weights.cast(to: .float64).doubles                         // [B, N]
            for i in 0..<b where !ended[i] {
                if previous[i] == Self.endOfCaption { ended[i] = true; continue }
                if digits[i].count == c.maxDigits { continue }   // the limit: this strip's caption stops unended
                digits[i].append(previous[i])
                maps[i].append(pixelMap(Array(weights[(i * n)..<((i + 1) * n)]), digits: k))
            }
        }
        return (0..<b).map { Caption(digits: digits[$0], attention: maps[$0], reachedEnd: ended[$0]) }
    }

    /// Token weights [N] → pixels [8][8k]: each token's weight divided evenly among its P×P pixels.
    func pixelMap(_ weights: [Double], digits k: Int) -> [[Double]] {
        let p = configuration.patch, columns = DigitStrips.cell * k / p, area = Double(p * p)
        return (0..<DigitStrips.cell).map { r in (0..<(DigitStrips.cell * k)).map { col in
            weights[(r / p) * columns + col / p] / area } }
    }

    /// The attention centroid of a pixel map [8][W]: (row, column) = Σ w·(r + ½, c + ½) / Σ w, in pixel units, so
    /// pixel (r, c) spans [r, r+1) × [c, c+1) and digit cell i spans columns [8i, 8i+8). Nil when Σ w = 0.
    public static func centroid(_ map: [[Double]]) -> (row: Double, column: Double)? {
        var total = 0.0, row = 0.0, column = 0.0
        for (r, values) in map.enumerated() { for (c, w) in values.enumerated() {
            total += w; row += w * (Double(r) + 0.5); column += w * (Double(c) + 0.5)
        } }
        return total > 0 ? (row / total, column / total) : nil
    }

    /// Whether the centroid of `map` lies inside the 8 × 8 cell of digit `cell` (columns [8·cell, 8·cell + 8)).
    public static func isLocalised(_ map: [[Double]], cell: Int) -> Bool {
        guard let (r, c) = centroid(map) else { return false }
        let left = Double(DigitStrips.cell * cell)
        return (0..<Double(DigitStrips.cell)).contains(r) && (left..<(left + Double(DigitStrips.cell))).contains(c)
    }

    /// Figures on a set of strips.
    public struct Evaluation: Sendable, Equatable {
        /// The number of strips scored.
        public let strips: Int
        /// Share of strips whose caption is exactly right (every digit, and no word more or less).
        public let exactMatch: Double
        /// Share of emitted words whose attention centroid lies in the cell of the digit they name: word i is
        /// checked against cell i (a word past the strip's last cell is not localised).
        public let localisation: Double
        /// Share of the strips' digits said correctly in their place (word i = digit i).
        public let wordAccuracy: Double
        /// Words emitted in all.
        public let words: Int
    }

    /// Captions `strips` greedily and scores them against their digits (see `Evaluation`).
    public func evaluate(_ strips: [DigitStrip]) -> Evaluation {
        let captions = caption(strips.map(\.pixels))
        return Self.score(captions, strips)
    }

    /// The figures of `captions` against the strips' digits.
    public static func score(_ captions: [Caption], _ strips: [DigitStrip]) -> Evaluation {
        precondition(captions.count == strips.count, "CaptionModel.score: \(captions.count) captions for \(strips.count) strips")
        var exact = 0, emitted = 0, localised = 0, right = 0, digits = 0
        for (caption, strip) in zip(captions, strips) {
            if caption.digits == strip.digits && caption.reachedEnd { exact += 1 }
            digits += strip.count
            for (i, d) in strip.digits.enumerated() where i < caption.digits.count && caption.digits[i] == d { right += 1 }
            for (i, map) in caption.attention.enumerated() {
                emitted += 1
                if i < strip.count && isLocalised(map, cell: i) { localised += 1 }
            }
        }
        func share(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        return Evaluation(strips: strips.count, exactMatch: share(exact, strips.count), localisation: share(localised, emitted),
                          wordAccuracy: share(right, digits), words: emitted)
    }

    // MARK: Checkpoints

    /// The task name a caption checkpoint carries in its metadata; `load(from:)` refuses other tasks.
    public static let checkpointTask = "caption"

    /// Writes the weights, the configuration and the caption words as one safetensors file, atomically.
    public func save(to path: String) throws(CheckpointError) {
        try Checkpoint.write(self, task: Self.checkpointTask,
                             metadata: ["config": Checkpoint.encode(configuration), "words": Checkpoint.encode(DigitStrips.words)],
                             to: path)
    }

    /// Reads a model written by `save(to:)`.
    /// - Throws: `CheckpointError` naming the file: unreadable, another task, a bad configuration, or a missing or misshapen tensor.
    public static func load(from path: String) throws(CheckpointError) -> CaptionModel {
        let file = try Checkpoint.open(path: path, task: checkpointTask)
        let configuration = try Checkpoint.decode(Configuration.self, "config", in: file, path: path)
        let words = try Checkpoint.decode([String].self, "words", in: file, path: path)
        guard words == DigitStrips.words else {
            throw .badMetadata(path: path, key: "words", reason: "expected the ten digit words zero…nine, found \(words)")
        }
        let model: CaptionModel
        do {
            var rng = RandomGenerator(seed: 0)
            model = try CaptionModel(configuration, rng: &rng)
        } catch { throw .badMetadata(path: path, key: "config", reason: error.description) }
        try Checkpoint.load(model, from: file, path: path)
        model.eval()
        return model
    }
}
