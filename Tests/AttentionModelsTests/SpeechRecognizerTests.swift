import Foundation
import Testing
import Attention
import AttentionAudio
import AttentionSafeTensors
@testable import AttentionModels
import AttentionTraining

/// The speech recogniser's pieces that do not need the espeak-ng data set: WER, the frame map, token times, the
/// manifest reader, checkpoints and audio of any shape.
struct SpeechRecognizerTests {
    /// Hand-counted edit distances: one substitution; one deletion; two insertions; nothing to the empty reference.
    @Test func wordErrorRateCountsEdits() {
        #expect(WordErrorRate.distance([1, 9, 3], [1, 2, 3]) == 1)
        #expect(WordErrorRate.distance([1, 3], [1, 2, 3]) == 1)
        #expect(WordErrorRate.distance([0, 1, 2, 3, 0], [1, 2, 3]) == 2)
        #expect(WordErrorRate.distance([4, 4], [Int]()) == 2)
        #expect(WordErrorRate.distance([Int](), [5, 6, 7]) == 3)
        #expect(WordErrorRate.distance([7, 1], [1, 7]) == 2)
        // (1 + 0 + 3) errors over (3 + 2 + 3) reference words.
        #expect(WordErrorRate.rate(hypotheses: [[1, 9, 3], [4, 5], []], references: [[1, 2, 3], [4, 5], [5, 6, 7]]) == 0.5)
    }

    static func tiny() throws -> SpeechRecognizer {
        var c = SpeechRecognizer.Configuration()
        c.dimension = 16; c.heads = 2; c.layers = 1; c.feedForward = 32; c.hidden = 16; c.embedding = 8; c.attentionSize = 8
        c.maxWords = 5
        var rng = RandomGenerator(seed: 3)
        return try SpeechRecognizer(c, rng: &rng)
    }

    /// Token j covers frames 4j…4j+3, centred at (4j + 1.5) · 10 ms; its weight is spread over its frames (the
    /// last token over the frames it has).
    @Test func framesAndTokenTimes() throws {
        let model = try Self.tiny()
        #expect(model.configuration.tokens(frames: 10) == 3)
        #expect(abs(model.configuration.tokenCentre(0) - 0.015) < 1e-12)
        #expect(abs(model.configuration.tokenCentre(5) - 0.215) < 1e-12)
        let map = model.frameMap([0.5, 0.3, 0.2], frames: 10)
        #expect(map == [0.125, 0.125, 0.125, 0.125, 0.075, 0.075, 0.075, 0.075, 0.1, 0.1])
    }

    @Test func normalisationRemovesEachBinsMean() {
        let n = SpeechRecognizer.normalised([[1, 10], [3, 2]])
        #expect(n == [[-0.25, 1], [0.25, -1]])
    }

    /// Audio of any rate and length, even empty or one sample, is recognised: words within the limit, one
    /// alignment row per word over the utterance's frames, each summing to 1.
    @Test(arguments: [(8000, 0), (8000, 1), (11025, 3000), (16000, 16000), (44100, 20000), (48000, 7)])
    func anyAudioGivesAResult(_ rate: Int, _ count: Int) throws {
        let model = try Self.tiny()
        var rng = RandomGenerator(seed: UInt64(rate + count))
        let wav = WAVFile(sampleRate: rate, samples: (0..<count).map { _ in Float(rng.uniform() - 0.5) })
        let r = model.recognise(wav)
        let frames = 1 + (count * 16000 / rate) / 160
        #expect(r.words.count <= 5 && r.alignment.count == r.words.count && r.peaks.count == r.words.count)
        for row in r.alignment {
            #expect(row.count == frames)
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
        }
    }

    /// A batch decodes each utterance as it would alone (padding is masked in the encoder and the attention).
    @Test func batchingDoesNotChangeResults() throws {
        let model = try Self.tiny()
        var rng = RandomGenerator(seed: 9)
        let utterances = [30, 71, 5].map { t in (0..<t).map { _ in (0..<40).map { _ in rng.uniform() * 2 - 1 } } }
        let together = model.recognise(utterances)
        for (u, r) in zip(utterances, together) {
            let alone = model.recognise([u])[0]
            #expect(alone.words == r.words)
            for (a, b) in zip(alone.alignment, r.alignment) { #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 }) }
        }
    }

    @Test func checkpointRoundTripAndWrongTask() throws {
        let model = try Self.tiny()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("listen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: path)
        let back = try SpeechRecognizer.load(from: path)
        #expect(back.configuration == model.configuration)
        let wav = WAVFile(sampleRate: 16000, samples: (0..<8000).map { Float(sin(Double($0) * 0.05)) })
        #expect(back.recognise(wav) == model.recognise(wav))
        #expect(throws: CheckpointError.wrongTask(path: path, expected: "caption", found: "listen")) { try CaptionModel.load(from: path) }
    }

    static func manifest(_ text: String) throws -> (String, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("listen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(("split\tfile\twords\tspans\n" + text).utf8).write(to: dir.appendingPathComponent("manifest.tsv"))
        return (dir.path, dir)
    }

    @Test(arguments: [
        ("train\ta.wav\tone two\t0.1-0.2\n", "manifest.tsv:2: 2 words and 1 spans"),
        ("train\ta.wav\tone eleven\t0.1-0.2,0.3-0.4\n", "manifest.tsv:2: unknown word \"eleven\""),
        ("train\ta.wav\tone\n", "manifest.tsv:2: expected 4 tab-separated fields"),
        ("train\ta.wav\tone\t0.5-0.2\n", "manifest.tsv:2: a span \"0.5-0.2\""),
        ("", "the manifest lists no utterances"),
    ])
    func badManifestsAreNamed(_ text: String, _ message: String) throws {
        let (path, dir) = try Self.manifest(text)
        defer { try? FileManager.default.removeItem(at: dir) }
        do { _ = try SpeechCorpus(directory: path); Issue.record("read a bad manifest") } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func aMissingOrBrokenWAVIsNamed() throws {
        let (path, dir) = try Self.manifest("train\tmissing.wav\tone\t0.1-0.2\ntrain\tbad.wav\ttwo\t0.1-0.2\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try SpeechCorpus(directory: path)
        #expect(corpus.utterances.map(\.words) == [[1], [2]])
        #expect(corpus.utterances[0].spans == [0.1...0.2])
        let model = try Self.tiny()
        do { _ = try corpus.features([corpus.utterances[0]], model: model); Issue.record("read a missing file") } catch {
            #expect(error.description.contains("missing.wav: cannot read the file"))
        }
        try Data("RIFF\u{4}\0\0\0WAVE".utf8).write(to: dir.appendingPathComponent("bad.wav"))
        do { _ = try corpus.features([corpus.utterances[1]], model: model); Issue.record("read a broken file") } catch {
            #expect(error.description.contains("bad.wav: malformed WAV file: no fmt chunk"))
        }
    }
}
