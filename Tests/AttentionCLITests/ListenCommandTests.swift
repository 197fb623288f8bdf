import Foundation
import Testing
import AttentionAudio

/// End-to-end: `attention listen train|eval|run` on a tiny data set of our own (tones for words, not speech: the
/// interface is the point here), and WAV files recorded elsewhere: other rates, stereo, 8-bit, truncated, not WAV.
struct ListenCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-listen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Word d is a 0.2 s tone at 300 + 150·d Hz, with 0.1 s of silence around each word; 22,050 Hz 16-bit mono.
    static func utterance(_ digits: [Int]) -> (WAVFile, String) {
        let rate = 22050, gap = [Float](repeating: 0, count: rate / 10)
        var x = gap, spans: [String] = []
        for d in digits {
            let start = Double(x.count) / Double(rate)
            x += (0..<(rate / 5)).map { Float(0.5 * sin(2 * Double.pi * Double(300 + 150 * d) * Double($0) / Double(rate))) }
            spans.append(String(format: "%.4f-%.4f", start, Double(x.count) / Double(rate)))
            x += gap
        }
        return (WAVFile(sampleRate: rate, samples: x), spans.joined(separator: ","))
    }

    static let names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    static func makeData(in dir: URL) throws -> String {
        var manifest = "split\tfile\twords\tspans\n"
        for split in ["train", "test-clean", "test-10db"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(split), withIntermediateDirectories: true)
            for i in 0..<(split == "train" ? 24 : 4) {
                let digits = (0...(i % 3)).map { (i * 7 + $0 * 3) % 10 }
                let (wav, spans) = utterance(digits)
                let name = "\(split)/\(i).wav"
                try Data(wav.pcm16Bytes()).write(to: dir.appendingPathComponent(name))
                manifest += "\(split)\t\(name)\t\(digits.map { names[$0] }.joined(separator: " "))\t\(spans)\n"
            }
        }
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("manifest.tsv"))
        return dir.path
    }

    static func trainTiny(in dir: URL) throws -> (data: String, model: String) {
        let data = try makeData(in: dir.appendingPathComponent("speech"))
        let model = dir.appendingPathComponent("listen.safetensors").path
        let train = try CLI.run(["listen", "train", "--data", data, "--steps", "3", "--dimension", "16", "--heads", "2", "--layers", "1",
                                 "--hidden", "16", "--save", model, "--quiet", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as! [String: Any]
        #expect(report["steps"] as? Int == 3 && report["train_utterances"] as? Int == 24 && report["saved"] as? String == model)
        #expect((0...1).contains(report["test_clean_alignment"] as! Double))
        return (data, model)
    }

    /// A 16-bit stereo WAV at 44.1 kHz and an 8-bit mono one at 8 kHz, built byte by byte.
    static func foreign(_ dir: URL) throws -> [String] {
        func header(rate: Int, channels: Int, bits: Int, bytes: Int) -> [UInt8] {
            func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8((v >> (8 * $0)) & 0xFF) } }
            let align = channels * bits / 8
            return Array("RIFF".utf8) + le(36 + bytes, 4) + Array("WAVEfmt ".utf8) + le(16, 4) + le(1, 2) + le(channels, 2)
                + le(rate, 4) + le(rate * align, 4) + le(align, 2) + le(bits, 2) + Array("data".utf8) + le(bytes, 4)
        }
        let n = 8000
        var stereo = header(rate: 44100, channels: 2, bits: 16, bytes: 4 * n)
        for i in 0..<n { for c in 0..<2 {
            let v = Int16(12000 * sin(Double(i) * (0.05 + 0.02 * Double(c))))
            stereo += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        } }
        var eight = header(rate: 8000, channels: 1, bits: 8, bytes: n)
        eight += (0..<n).map { UInt8(128 + 60 * sin(Double($0) * 0.3)) }
        let paths = ["stereo44k.wav", "u8_8k.wav"].map { dir.appendingPathComponent($0).path }
        try Data(stereo).write(to: URL(fileURLWithPath: paths[0]))
        try Data(eight).write(to: URL(fileURLWithPath: paths[1]))
        return paths
    }

    @Test("train --save, eval --json (keys in order), run --json on foreign WAVs ([word][frames] rows summing to 1), --heatmap PNG")
    func trainEvalRun() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, model) = try Self.trainTiny(in: dir)

        let eval = try CLI.run(["listen", "eval", "--load", model, "--data", data, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.hasPrefix("{\"utterances\":4,\"word_error_rate\":"))
        let report = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
        #expect((report["per_split"] as! [[String: Any]]).map { $0["split"] as? String } == ["test-clean", "test-10db"])
        #expect((report["word_error_rate"] as! Double) >= 0)

        let files = try Self.foreign(dir)
        let run = try CLI.run(["listen", "run", "--load", model, "--json"] + files)
        #expect(run.status == 0, "\(run.stderr)")
        let results = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]]
        #expect(results.map { $0["file"] as? String } == files)
        // 8000 frames at 44.1 kHz → 2902 samples at 16 kHz → 19 frames; 8000 at 8 kHz → 16000 → 101 frames.
        for (r, frames) in zip(results, [19, 101]) {
            let words = r["words"] as! [String], alignment = r["alignment"] as! [[Double]]
            #expect(words.count == alignment.count)
            for row in alignment {
                #expect(row.count == frames)
                #expect(abs(row.reduce(0, +) - 1) < 1e-4)
            }
        }
        let png = dir.appendingPathComponent("words.png").path
        let drawn = try CLI.run(["listen", "run", "--load", model, "--heatmap", png, files[1]])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("truncated, non-WAV, A-law, empty and missing files, a missing data folder: named errors, exit 1 or 66, nothing written")
    func badInput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, model) = try Self.trainTiny(in: dir)
        let good = try Self.foreign(dir)[0]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let picture = dir.appendingPathComponent("never.png").path
        func fails(_ name: String, _ content: Data, _ phrase: String) throws {
            let path = dir.appendingPathComponent(name).path
            try content.write(to: URL(fileURLWithPath: path))
            let r = try CLI.run(["listen", "run", "--load", model, "--heatmap", picture, "--json", good, path])
            #expect(r.status == 1, "\(name): status \(r.status)")
            #expect(r.stderr.contains(path) && r.stderr.contains(phrase), "\(name): \(r.stderr)")
            #expect(r.stdout.isEmpty && !FileManager.default.fileExists(atPath: picture), "\(name): something was written")
        }
        try fails("cut.wav", bytes.prefix(bytes.count / 2), "truncated WAV file: its chunks need 32044 bytes, the file has 16022")
        try fails("song.mp3", Data("ID3\u{3}\0\0\0\0 not audio".utf8), "not a WAV file")
        try fails("empty.wav", Data(), "not a WAV file (expected \"RIFF\" … \"WAVE\", found an empty file)")
        var alaw = bytes.prefix(44)
        alaw[20] = 6
        alaw[40] = 8; alaw[41] = 0; alaw[42] = 0; alaw[43] = 0   // a data chunk of 8 bytes
        try fails("alaw.wav", alaw + Data(count: 8), "unsupported WAV sample format 6 with 16 bits")
        let missing = try CLI.run(["listen", "run", "--load", model, dir.appendingPathComponent("nope.wav").path])
        #expect(missing.status == 66 && missing.stderr.contains("no such file"))
        let noData = try CLI.run(["listen", "eval", "--load", model, "--data", dir.appendingPathComponent("nothing").path])
        #expect(noData.status == 66 && noData.stderr.contains("no such folder"))
        let usage = try CLI.run(["listen", "eval", "--load", model, "--split", "train"])
        #expect(usage.status == 64 && usage.stderr.contains("--split"))
    }
}
