import Foundation
import Testing

/// End-to-end: `attention classify train|eval|run|corpus` as a user runs them.
struct ClassifyCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-classify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A corpus of three labels that is not the built-in one, CRLF line ends and a blank line.
    static let weather = [
        "sunny\tbright sun all day", "rainy\theavy rain and wet streets", "snowy\tdeep snow on the roads",
        "sunny\tclear sky and warm sun", "rainy\tgrey clouds and rain", "snowy\tsnow falling all night",
        "sunny\tsun and blue sky", "rainy\train again , wet and cold", "snowy\tcold snow and ice",
    ]

    @Test("train --corpus (3 labels, CRLF) --save, then eval --json and run --json: keys, distributions, labels of the file")
    func trainEvalRun() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("weather.tsv")
        try Data((Self.weather.joined(separator: "\r\n") + "\r\n\r\n").utf8).write(to: corpus)
        let model = dir.appendingPathComponent("weather.safetensors").path
        let train = try CLI.run(["classify", "train", "--corpus", corpus.path, "--steps", "150", "--save", model, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("trained on 9 examples, labels sunny, rainy, snowy"))
        #expect(train.stderr.isEmpty, "--quiet and a pipe: no progress")

        let eval = try CLI.run(["classify", "eval", "--load", model, "--corpus", corpus.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
        #expect(report["examples"] as? Int == 9)
        #expect((report["accuracy"] as? Double ?? 0) >= 8.0 / 9)

        let run = try CLI.run(["classify", "run", "--load", model, "--json", "heavy rain today", "warm sun"])
        #expect(run.status == 0, "\(run.stderr)")
        let results = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]]
        #expect(results.map { $0["label"] as? String } == ["rainy", "sunny"])
        for r in results {
            let p = r["probabilities"] as! [String: Double], a = r["attention"] as! [Double], tokens = r["tokens"] as! [String]
            #expect(Set(p.keys) == ["sunny", "rainy", "snowy"] && abs(p.values.reduce(0, +) - 1) < 1e-5)
            #expect(a.count == tokens.count && abs(a.reduce(0, +) - 1) < 1e-5)
        }
        #expect(results[0]["tokens"] as? [String] == ["heavy", "rain", "today"])
        // "today" is not in the corpus: skipped, weight 0.
        #expect((results[0]["attention"] as! [Double])[2] == 0)
    }

    @Test("run --heatmap draws the word weights; corpus writes the built-in splits as label<TAB>text")
    func heatmapAndCorpus() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let test = try CLI.run(["classify", "corpus", "--split", "test"])
        #expect(test.status == 0)
        let lines = test.stdout.split(separator: "\n")
        #expect(lines.count == 1000 && lines.allSatisfy { $0.hasPrefix("positive\t") || $0.hasPrefix("negative\t") })
        let corpus = dir.appendingPathComponent("c.tsv")
        try Data(Self.weather.joined(separator: "\n").utf8).write(to: corpus)
        let model = dir.appendingPathComponent("m.safetensors").path
        #expect(try CLI.run(["classify", "train", "--corpus", corpus.path, "--steps", "20", "--save", model, "--quiet"]).status == 0)
        let svg = dir.appendingPathComponent("w.svg").path
        let run = try CLI.run(["classify", "run", "--load", model, "--heatmap", svg, "snow and ice"])
        #expect(run.status == 0, "\(run.stderr)")
        let picture = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(picture.hasPrefix("<svg") && picture.contains("snow") && picture.contains("ice"))
    }

    @Test("bad input: a line without a tab, one label only, a file that is not a checkpoint, --save into a missing folder")
    func badInput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ragged = dir.appendingPathComponent("ragged.tsv")
        try Data("a\tone\nno tab here\n".utf8).write(to: ragged)
        let r1 = try CLI.run(["classify", "train", "--corpus", ragged.path, "--quiet"])
        #expect(r1.status != 0 && r1.stderr.contains("ragged.tsv:2: expected 2 tab-separated columns, found 1"), "\(r1.stderr)")

        let single = dir.appendingPathComponent("single.tsv")
        try Data("a\tone\na\ttwo\n".utf8).write(to: single)
        let r2 = try CLI.run(["classify", "train", "--corpus", single.path, "--quiet"])
        #expect(r2.status != 0 && r2.stderr.contains("at least 2"), "\(r2.stderr)")

        let notModel = dir.appendingPathComponent("notes.safetensors")
        try Data("hello".utf8).write(to: notModel)
        let r3 = try CLI.run(["classify", "run", "--load", notModel.path, "x"])
        #expect(r3.status != 0 && r3.stderr.contains(notModel.path), "\(r3.stderr)")
        #expect(try Data(contentsOf: notModel) == Data("hello".utf8))

        let missing = dir.appendingPathComponent("no/such/folder/m.safetensors").path
        let r4 = try CLI.run(["classify", "train", "--save", missing, "--steps", "100000"])
        #expect(r4.status != 0 && r4.stderr.contains("does not exist"), "\(r4.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
