import Foundation
import Testing
import Attention
import AttentionText
import AttentionTraining
@testable import AttentionModels

/// The captioning application: strips, the centroid and localisation arithmetic, decoding, checkpoints, training.
struct CaptionModelTests {
    /// `count` labelled 8 × 8 images; image i has label i % 10 and pixel p = (i + p) % 17, so each is recognisable.
    static func images(_ count: Int) -> DigitImages {
        DigitImages(pixels: (0..<count).map { i in (0..<64).map { Double((i + $0) % 17) } }, labels: (0..<count).map { $0 % 10 })
    }

    /// Ten easy "digits": digit d lights the pixels of row d % 8 (columns 0–3 for d < 8, 4–7 for 8 and 9), with noise.
    static func easyDigits(_ count: Int, seed: UInt64) -> DigitImages {
        var rng = RandomGenerator(seed: seed)
        let pixels = (0..<count).map { i -> [Double] in
            let d = i % 10
            return (0..<64).map { p in
                let on = p / 8 == d % 8 && (d < 8 ? p % 8 < 4 : p % 8 >= 4)
                return min(16, (on ? 14 : 0) + 2 * rng.uniform())
            }
        }
        return DigitImages(pixels: pixels, labels: (0..<count).map { $0 % 10 })
    }

    static func small() -> CaptionModel.Configuration {
        var c = CaptionModel.Configuration()
        c.dimension = 16; c.layers = 1; c.heads = 2; c.feedForward = 32; c.hidden = 16; c.embedding = 8; c.attentionSize = 16
        return c
    }

    @Test("a strip puts digit i's pixel (r, c) at (r, 8i + c) and says the digits as words")
    func stripPlacement() {
        let images = Self.images(30)
        let strip = DigitStrips.strip(images, rows: [3, 17, 8])
        #expect(strip.digits == [3, 7, 8] && strip.words == ["three", "seven", "eight"] && strip.rows == [3, 17, 8])
        #expect(strip.pixels.count == 8 * 24)
        for (i, row) in [3, 17, 8].enumerated() { for r in 0..<8 { for c in 0..<8 {
            #expect(strip.pixels[r * 24 + 8 * i + c] == images.pixels[row][r * 8 + c])
        } } }
    }

    @Test("composed strips are seeded; test strips use only rows 1400–1796, training only rows 0–1399")
    func splits() {
        let images = Self.images(1797)
        let a = DigitStrips.compose(from: images, rows: DigitStrips.trainingRows(images), count: 200, digits: 2...4, seed: 5)
        #expect(a == DigitStrips.compose(from: images, rows: DigitStrips.trainingRows(images), count: 200, digits: 2...4, seed: 5))
        #expect(Set(a.map(\.count)) == [2, 3, 4])
        #expect(a.allSatisfy { s in s.rows.allSatisfy { $0 < 1400 } && s.digits == s.rows.map { $0 % 10 } })
        #expect(DigitStrips.trainingRows(images) == Array(0..<1400))
        for k in 2...4 {
            let test = DigitStrips.testStrips(images, digits: k)
            #expect(test.count == 1000 && test.allSatisfy { $0.count == k && $0.rows.allSatisfy(DigitImages.testRows.contains) })
            #expect(test == DigitStrips.testStrips(images, digits: k))
        }
    }

    @Test("centroid and localisation: hand-computed maps")
    func centroid() throws {
        func map(_ cells: [(Int, Int, Double)], width: Int = 16) -> [[Double]] {
            var m = [[Double]](repeating: [Double](repeating: 0, count: width), count: 8)
            for (r, c, w) in cells { m[r][c] = w }
            return m
        }
        let one = try #require(CaptionModel.centroid(map([(2, 9, 1)])))
        #expect(one.row == 2.5 && one.column == 9.5)
        #expect(CaptionModel.isLocalised(map([(2, 9, 1)]), cell: 1) && !CaptionModel.isLocalised(map([(2, 9, 1)]), cell: 0))
        // Equal weights at columns 7 and 8: the centroid is column 8.0, the left edge of cell 1 (cells are [8i, 8i + 8)).
        let edge = try #require(CaptionModel.centroid(map([(0, 7, 0.5), (0, 8, 0.5)])))
        #expect(edge.column == 8 && edge.row == 0.5)
        #expect(CaptionModel.isLocalised(map([(0, 7, 0.5), (0, 8, 0.5)]), cell: 1))
        // 0.75 at column 0 and 0.25 at column 12: 0.75 · 0.5 + 0.25 · 12.5 = 3.5, in cell 0 though a quarter is in cell 1.
        #expect(try #require(CaptionModel.centroid(map([(4, 0, 0.75), (4, 12, 0.25)]))).column == 3.5)
        #expect(CaptionModel.isLocalised(map([(4, 0, 0.75), (4, 12, 0.25)]), cell: 0))
        #expect(CaptionModel.centroid(map([])) == nil && !CaptionModel.isLocalised(map([]), cell: 0))
    }

    @Test("scores: exact match needs every digit and the end; word i is localised only in cell i")
    func scores() {
        func at(_ cell: Int) -> [[Double]] { (0..<8).map { r in (0..<16).map { c in r == 3 && c == 8 * cell + 4 ? 1 : 0 } } }
        let strips = [DigitStrip(pixels: [Double](repeating: 0, count: 128), digits: [4, 2]),
                      DigitStrip(pixels: [Double](repeating: 0, count: 128), digits: [1, 9]),
                      DigitStrip(pixels: [Double](repeating: 0, count: 128), digits: [5, 5])]
        let captions = [
            CaptionModel.Caption(digits: [4, 2], attention: [at(0), at(1)], reachedEnd: true),           // right, both localised
            CaptionModel.Caption(digits: [1, 9, 9], attention: [at(0), at(0), at(1)], reachedEnd: true), // a word too many
            CaptionModel.Caption(digits: [5, 5], attention: [at(0), at(1)], reachedEnd: false),          // never ended
        ]
        let e = CaptionModel.score(captions, strips)
        #expect(e.strips == 3 && e.words == 7)
        #expect(e.exactMatch == 1.0 / 3)
        // Localised: 2 + 1 (word 2 looks at cell 0, word 3 has no cell) + 2 of 7 words.
        #expect(e.localisation == 5.0 / 7)
        #expect(e.wordAccuracy == 6.0 / 6)
    }

    @Test("captions: attention maps are [word][8][8k] distributions, each token's weight spread over its 2×2 pixels")
    func decoding() throws {
        var rng = RandomGenerator(seed: 3)
        let model = try CaptionModel(Self.small(), rng: &rng)
        model.eval()
        let strips = [[Double]]([DigitStrips.strip(Self.images(40), rows: [1, 2]).pixels,
                                 DigitStrips.strip(Self.images(40), rows: [5, 6, 7, 8]).pixels,
                                 DigitStrips.strip(Self.images(40), rows: [9, 10, 11]).pixels])
        let captions = model.caption(strips)
        #expect(captions.count == 3)
        for (caption, strip) in zip(captions, strips) {
            #expect(caption.digits.count <= 4 && caption.attention.count == caption.digits.count)
            #expect(caption.reachedEnd || caption.digits.count == 4)
            for map in caption.attention {
                #expect(map.count == 8 && map.allSatisfy { $0.count == strip.count / 8 })
                #expect(abs(map.joined().reduce(0, +) - 1) < 1e-5)
                for r in stride(from: 0, to: 8, by: 2) { for c in stride(from: 0, to: strip.count / 8, by: 2) {
                    #expect(map[r][c] == map[r + 1][c + 1] && map[r][c] == map[r][c + 1])
                } }
            }
        }
        // One strip alone, or in a batch of others, gives the same caption.
        #expect(model.caption([strips[1]]) == [captions[1]])
    }

    @Test("checkpoint round trip gives the same captions; a digits checkpoint is refused and a caption one is refused as digits")
    func checkpoint() throws {
        var rng = RandomGenerator(seed: 4)
        let model = try CaptionModel(Self.small(), rng: &rng)
        model.eval()
        let strips = DigitStrips.compose(from: Self.images(50), rows: Array(0..<50), count: 12, digits: 2...4, seed: 1).map(\.pixels)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("caption-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        #expect(try CaptionModel.load(from: path).caption(strips) == model.caption(strips))
        #expect(throws: CheckpointError.wrongTask(path: path, expected: "digits", found: "caption")) { try VisionTransformer.load(from: path) }

        var vc = VisionTransformer.Configuration()
        vc.dimension = 8; vc.layers = 1; vc.heads = 2; vc.feedForward = 16
        let vit = try VisionTransformer(vc, rng: &rng)
        let other = path + ".digits"
        defer { try? FileManager.default.removeItem(atPath: other) }
        try vit.save(to: other)
        #expect(throws: CheckpointError.wrongTask(path: other, expected: "caption", found: "digits")) { try CaptionModel.load(from: other) }
    }

    @Test("a short training run on easy digits lowers the loss and learns to say them")
    func training() throws {
        let images = Self.easyDigits(200, seed: 9)
        var options = CaptionModel.TrainingOptions()
        options.steps = 300; options.batchSize = 16; options.learningRate = 5e-3; options.validationEvery = 100
        options.shift = 0; options.rotation = 0; options.scale = 0; options.digits = 2...2
        var losses: [Double] = []
        let model = try CaptionModel.train(on: images, rows: Array(0..<200), configuration: Self.small(), options: options) {
            losses.append($0.loss)
        }
        #expect(losses.count == 300)
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(10).reduce(0, +) / 10
        #expect(last < first / 2, "loss \(first) → \(last)")
        let fresh = DigitStrips.compose(from: Self.easyDigits(100, seed: 10), rows: Array(0..<100), count: 100, digits: 2...2, seed: 2)
        let e = model.evaluate(fresh)
        #expect(e.wordAccuracy > 0.5, "word accuracy \(e.wordAccuracy) (chance 0.1)")
    }

    @Test("training augmentation: seeded, pixels stay in 0…16, intensity scales the ink by one factor per digit")
    func augmentation() {
        let image = (0..<64).map { Double(($0 * 7) % 17) }      // values 0…16, 16 included
        var options = CaptionModel.TrainingOptions()
        options.shift = 1; options.rotation = 12; options.scale = 0.1; options.intensity = 0.3
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let first = (0..<50).map { _ in CaptionModel.augmented(image, options, rng: &a) }
        #expect(first == (0..<50).map { _ in CaptionModel.augmented(image, options, rng: &b) })
        #expect(first.allSatisfy { $0.count == 64 && $0.allSatisfy { (0...16).contains($0) } })
        #expect(Set(first).count == 50)
        // A 1-pixel shift right (draws u = 1 for the column shift): pixel (r, c) = image (r, c − 1), column 0 empty.
        options.rotation = 0; options.scale = 0; options.intensity = 0
        let moved = VisionTransformer.transformed(image, height: 8, width: 8, shift: (0, 1), degrees: 0, scale: 1)
        for r in 0..<8 { for c in 0..<8 { #expect(moved[r * 8 + c] == (c == 0 ? 0 : image[r * 8 + c - 1])) } }
        // Intensity alone: every pixel times the same factor 1 + (2u − 1)·0.5 (the fifth draw), clipped at 16.
        options.shift = 0; options.intensity = 0.5
        var c = RandomGenerator(seed: 12), d = RandomGenerator(seed: 12)
        let bright = CaptionModel.augmented(image, options, rng: &c)
        for _ in 0..<4 { _ = d.uniform() }
        let factor = 1 + (2 * d.uniform() - 1) * 0.5
        #expect(zip(bright, image).allSatisfy { abs($0 - min(16, $1 * factor)) < 1e-12 })
        // Without intensity the fifth number is not drawn, so old seeds give the old training digits.
        options.intensity = 0
        var e = RandomGenerator(seed: 13), f = RandomGenerator(seed: 13)
        _ = CaptionModel.augmented(image, options, rng: &e)
        for _ in 0..<4 { _ = f.uniform() }
        #expect(e.uniform() == f.uniform())
    }

    @Test("strip rows from CSV: k from each row's length; wrong length, 17, NaN and an empty file are named errors")
    func reading() throws {
        func lines(_ rows: [String]) -> NumberedLines { NumberedLines(lines: rows.enumerated().map { .init(number: $0.offset + 1, text: $0.element) }) }
        func row(_ n: Int, _ v: String = "1") -> String { [String](repeating: v, count: n).joined(separator: ",") }
        let strips = try DigitStrips.read(lines: lines([row(128), row(256, "16"), row(192, "0")]), source: "F", supported: 2...4)
        #expect(strips.map(\.count) == [128, 256, 192] && strips[1].allSatisfy { $0 == 16 })
        func error(_ rows: [String]) -> String {
            do { _ = try DigitStrips.read(lines: lines(rows), source: "F", supported: 2...4); return "no error" } catch { return error.description }
        }
        #expect(error([row(128), row(64)]) == "F:2: a strip row holds 64·k values for k = 2…4 digits (128, 192, 256), found 64")
        #expect(error([row(129)]) == "F:1: a strip row holds 64·k values for k = 2…4 digits (128, 192, 256), found 129")
        #expect(error([row(320)]).hasSuffix("found 320"))
        #expect(error(["17," + row(127)]) == "F:1: column 1 is 17.0, outside the pixel range 0…16")
        #expect(error([row(5) + ",nan," + row(122)]) == "F:1: column 6 is \"nan\", not a finite number")
        #expect(error([]) == "F: no strip rows (the file is empty or blank)")
    }
}
