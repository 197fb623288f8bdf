import Foundation
import Testing
import Attention
import AttentionText
@testable import AttentionModels

/// The digits application: reading image rows, the augmentation, the rollout, checkpoints.
struct VisionTransformerTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digits-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func row(_ value: Double, label: Int? = nil, count: Int = 64) -> String {
        ([String](repeating: String(value), count: count) + (label.map { [String($0)] } ?? [])).joined(separator: ",")
    }

    @Test("CSV rows: 64 values with an optional label, CRLF and blank lines; width from the first row for strips")
    func reads() throws {
        let path = try Self.write(Self.row(3, label: 7) + "\r\n\r\n" + Self.row(16) + "\r\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let images = try DigitImages(contentsOf: path, width: 8)
        #expect(images.count == 2 && images.labels == [7, nil] && images.pixels[1].allSatisfy { $0 == 16 })
        let strip = try Self.write(Self.row(1, count: 192))
        defer { try? FileManager.default.removeItem(atPath: strip) }
        #expect(try DigitImages(contentsOf: strip).width == 24)
    }

    @Test("bad rows: wrong length, a value outside 0…16, NaN, a label that is not a digit, an empty file — named errors")
    func badRows() throws {
        func error(_ text: String, requireLabels: Bool = false) throws -> String {
            let path = try Self.write(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do { _ = try DigitImages(contentsOf: path, width: 8, requireLabels: requireLabels); return "no error" } catch {
                return error.description.replacingOccurrences(of: path, with: "F")
            }
        }
        #expect(try error(Self.row(1) + "\n" + Self.row(1, count: 63)) == "F:2: expected 64 values (or 65 with a label), found 63")
        #expect(try error("17" + String(Self.row(1).dropFirst())) == "F:1: column 1 is 17.0, outside the pixel range 0…16")
        #expect(try error(Self.row(1, count: 10) + ",nan," + Self.row(1, count: 53)) == "F:1: column 11 is \"nan\", not a finite number")
        #expect(try error(Self.row(1, label: 12)) == "F:1: the label \"12\" is not a digit 0…9")
        #expect(try error(Self.row(1), requireLabels: true) == "F:1: expected 64 values and a label, found 64")
        #expect(try error("\n\n") == "F: no image rows (the file is empty or blank)")
    }

    @Test("augmentation: the identity leaves an image as it is; a whole-pixel shift moves every pixel exactly")
    func transform() {
        var rng = RandomGenerator(seed: 2)
        let image = (0..<64).map { _ in Double(rng.integer(below: 17)) }
        #expect(VisionTransformer.transformed(image, height: 8, width: 8, shift: (0, 0), degrees: 0, scale: 1) == image)
        let moved = VisionTransformer.transformed(image, height: 8, width: 8, shift: (1, -1), degrees: 0, scale: 1)
        for r in 0..<8 { for c in 0..<8 {
            let expected = r >= 1 && c <= 6 ? image[(r - 1) * 8 + c + 1] : 0
            #expect(abs(moved[r * 8 + c] - expected) < 1e-12)
        } }
    }

    @Test("rollout of one layer: half the [CLS] row averaged over heads (the residual half stays on [CLS]); rows are distributions")
    func rolloutAndCheckpoint() throws {
        var c = VisionTransformer.Configuration()
        c.dimension = 16; c.layers = 1; c.heads = 2; c.feedForward = 32
        var rng = RandomGenerator(seed: 3)
        let model = try VisionTransformer(c, rng: &rng)
        let images = (0..<3).map { _ in (0..<64).map { _ in Double(rng.integer(below: 17)) } }
        let results = model.classify(images)
        for r in results {
            #expect(abs(r.probabilities.reduce(0, +) - 1) < 1e-6 && r.classAttention.count == 1 && r.classAttention[0].count == 2)
            for head in r.classAttention[0] { #expect(head.count == 16 && head.reduce(0, +) <= 1 + 1e-6) }
            for patch in 0..<16 {
                let expected = 0.5 * (r.classAttention[0][0][patch] + r.classAttention[0][1][patch]) / 2
                let (pr, pc) = (patch / 4, patch % 4)
                for i in 0..<2 { for j in 0..<2 { #expect(abs(r.rollout[pr * 2 + i][pc * 2 + j] - expected) < 1e-9) } }
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vit-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        #expect(try VisionTransformer.load(from: path).classify(images) == results)
        #expect(throws: CheckpointError.wrongTask(path: path, expected: "classify", found: "digits")) {
            try AttentionClassifier.load(from: path)
        }
    }

    @Test("training learns a two-class toy task (bright top vs bright bottom) from 40 images; the averaged weights too")
    func trainsToyTask() throws {
        var rng = RandomGenerator(seed: 11)
        func image(_ top: Bool) -> [Double] {
            (0..<64).map { i in ((i / 8 < 4) == top ? 12 : 0) + Double(rng.integer(below: 5)) }
        }
        let labels = (0..<40).map { $0 % 2 }
        let train = DigitImages(pixels: labels.map { image($0 == 0) }, labels: labels)
        let fresh = DigitImages(pixels: labels.map { image($0 == 0) }, labels: labels)
        var c = VisionTransformer.Configuration()
        c.dimension = 16; c.layers = 1; c.heads = 2; c.feedForward = 32; c.classes = 2
        var options = VisionTransformer.TrainingOptions()
        options.steps = 60; options.batchSize = 16; options.validationEvery = 30
        var losses: [Double] = []
        let averaged = try VisionTransformer.train(on: train, configuration: c, options: options) { losses.append($0.loss) }
        options.averageDecay = 0
        let last = try VisionTransformer.train(on: train, configuration: c, options: options)
        #expect(losses.count == 60 && losses.suffix(10).reduce(0, +) < losses.prefix(10).reduce(0, +) / 4)
        #expect(averaged.accuracy(on: fresh) == 1 && last.accuracy(on: fresh) == 1)
        #expect(averaged.head.weight.value.doubles != last.head.weight.value.doubles)   // the average is not the last step
        options.averageDecay = 1
        #expect(throws: VisionError.self) { try VisionTransformer.train(on: train, configuration: c, options: options) }
    }
}
