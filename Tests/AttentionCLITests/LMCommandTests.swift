import Foundation
import AttentionSafeTensors
import Testing

/// End-to-end: `attention lm train|eval|generate|corpus` as a user runs them (tiny, fast settings).
struct LMCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let tiny = ["--steps", "30", "--context", "16", "--model-dim", "16", "--heads", "2", "--layers", "1", "--batch-size", "4"]
    static let lines = ["注意力机制", "the cat sat on the mat", "the dog sat on the log", "", "the cat ate the rat", "注意力分布"]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    @Test("train (CRLF, Chinese) --save, eval --json, generate streamed and --json: shapes, keys in order, same text")
    func trainEvalGenerate() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("t.txt")
        try Data(Self.lines.joined(separator: "\r\n").utf8).write(to: corpus)
        let model = dir.appendingPathComponent("m.safetensors").path
        let train = try CLI.run(["lm", "train", "--corpus", corpus.path, "--save", model, "--quiet", "--json"] + Self.tiny)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.isEmpty)
        let t = try Self.json(train.stdout)
        // 5 non-blank lines + 1 blank, each followed by "\n" (no "\r" kept): 5 + 22 + 22 + 0 + 19 + 5 + 6 newlines.
        #expect(t["characters"] as? Int == 79)
        #expect(t["steps"] as? Int == 30 && t["saved"] as? String == model)
        #expect(train.stdout.hasPrefix("{\"characters\":79,\"vocabulary\":"))

        let eval = try CLI.run(["lm", "eval", "--load", model, "--corpus", corpus.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.hasPrefix("{\"characters\":79,\"bits_per_character\":"))
        let bits = try Self.json(eval.stdout)["bits_per_character"] as? Double ?? .nan
        #expect(bits > 0 && bits < 10)

        let args = ["lm", "generate", "--load", model, "--prompt", "the 注", "--max-tokens", "25", "--seed", "4"]
        let streamed = try CLI.run(args)
        #expect(streamed.status == 0, "\(streamed.stderr)")
        let asJSON = try CLI.run(args + ["--json"])
        #expect(asJSON.status == 0)
        #expect(asJSON.stdout.hasPrefix("{\"prompt\":\"the 注\",\"completion\":"))
        let completion = try #require(try Self.json(asJSON.stdout)["completion"] as? String)
        #expect(completion.count == 25)
        #expect(streamed.stdout == completion || streamed.stdout == completion + "\n")
        let greedy = try CLI.run(["lm", "generate", "--load", model, "--prompt", "the", "--temperature", "0", "--json"])
        let greedy2 = try CLI.run(["lm", "generate", "--load", model, "--prompt", "the", "--temperature", "0", "--seed", "9", "--json"])
        #expect(greedy.status == 0 && greedy.stdout == greedy2.stdout, "greedy ignores the seed")
    }

    @Test("builtin:addition: corpus splits, and eval reports completion_accuracy")
    func addition() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let held = try CLI.run(["lm", "corpus", "--split", "held-out"])
        #expect(held.status == 0)
        let heldLines = held.stdout.split(separator: "\n").map(String.init)
        #expect(heldLines.count == 243)
        let train = try CLI.run(["lm", "corpus"])
        let trainLines = Set(train.stdout.split(separator: "\n").map(String.init))
        #expect(trainLines.count == 8100 - 243 && heldLines.allSatisfy { !trainLines.contains($0) })
        let model = dir.appendingPathComponent("add.safetensors").path
        let t = try CLI.run(["lm", "train", "--corpus", "builtin:addition", "--save", model, "--quiet"] + Self.tiny.map { $0 == "30" ? "5" : $0 })
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("held-out sums completed correctly"))
        let eval = try CLI.run(["lm", "eval", "--load", model, "--corpus", "builtin:addition", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let e = try Self.json(eval.stdout)
        #expect(e["characters"] as? Int == heldLines.reduce(0) { $0 + $1.count + 1 })
        let accuracy = try #require(e["completion_accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        #expect(eval.stdout.contains("\"bits_per_character\":") && eval.stdout.contains(",\"completion_accuracy\":"))
    }

    @Test("Bad input: empty or invalid corpus, unknown prompt characters, non-checkpoints: named errors, exit ≠ 0, nothing written")
    func errors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let existing = dir.appendingPathComponent("keep.safetensors")
        try Data("precious".utf8).write(to: existing)
        let empty = dir.appendingPathComponent("empty.txt")
        try Data("\n\r\n".utf8).write(to: empty)
        let r1 = try CLI.run(["lm", "train", "--corpus", empty.path, "--save", existing.path, "--quiet"] + Self.tiny)
        #expect(r1.status == 1 && r1.stderr.contains("no text") && r1.stderr.contains(empty.path))
        #expect(try Data(contentsOf: existing) == Data("precious".utf8), "a failed run never overwrites --save")
        let bad = dir.appendingPathComponent("bad.txt")
        try Data([0x61, 0x0A, 0x62, 0xFF, 0x63, 0x0A]).write(to: bad)
        let r2 = try CLI.run(["lm", "train", "--corpus", bad.path, "--quiet"] + Self.tiny)
        #expect(r2.status == 1 && r2.stderr.contains("bad.txt:2: not UTF-8"))
        #expect(try CLI.run(["lm", "train", "--corpus", dir.appendingPathComponent("none.txt").path]).status == 66)

        let corpus = dir.appendingPathComponent("t.txt")
        try Data(Self.lines.joined(separator: "\n").utf8).write(to: corpus)
        let model = dir.appendingPathComponent("m.safetensors").path
        #expect(try CLI.run(["lm", "train", "--corpus", corpus.path, "--save", model, "--quiet"] + Self.tiny.map { $0 == "30" ? "2" : $0 }).status == 0)
        let r3 = try CLI.run(["lm", "generate", "--load", model, "--prompt", "the Zebra"])
        #expect(r3.status == 1 && r3.stdout.isEmpty && r3.stderr.contains("\"Z\"") && r3.stderr.contains("column 5"))
        let r4 = try CLI.run(["lm", "eval", "--load", model, "--corpus", "builtin:addition"])
        #expect(r4.status == 1 && r4.stderr.contains("not in the model's vocabulary"))

        let notCheckpoint = dir.appendingPathComponent("n.safetensors")
        try Data("not a checkpoint at all".utf8).write(to: notCheckpoint)
        let r5 = try CLI.run(["lm", "generate", "--load", notCheckpoint.path, "--prompt", "a"])
        #expect(r5.status == 1 && r5.stderr.contains(notCheckpoint.path))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let cut = dir.appendingPathComponent("cut.safetensors")
        try bytes.prefix(bytes.count - 100).write(to: cut)
        let r6 = try CLI.run(["lm", "eval", "--load", cut.path, "--corpus", corpus.path])
        #expect(r6.status == 1 && r6.stderr.contains(cut.path))
        let classifier = dir.appendingPathComponent("c.safetensors").path
        let tsv = dir.appendingPathComponent("c.tsv")
        try Data("a\tx y\nb\ty z\na\tx x\nb\tz z\n".utf8).write(to: tsv)
        #expect(try CLI.run(["classify", "train", "--corpus", tsv.path, "--steps", "2", "--save", classifier, "--quiet"]).status == 0)
        let r7 = try CLI.run(["lm", "generate", "--load", classifier, "--prompt", "a"])
        #expect(r7.status == 1 && r7.stderr.contains("\"classify\"") && r7.stderr.contains("\"lm\""))
        #expect(try CLI.run(["lm", "generate", "--load", model, "--prompt", "a", "--top-p", "0"]).status == 64)
    }

    @Test("attention run lm-train: the committed PyTorch case end to end (losses within 2e-5, every parameter written)")
    func runLMTrain() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AttentionTransformersTests/Fixtures/LMTrain")
        let name = "pre_gelu_clip"
        let out = dir.appendingPathComponent("out.safetensors").path
        let r = try CLI.run(["run", "lm-train", "--input", fixtures.appendingPathComponent("\(name).in.safetensors").path,
                             "--weights", fixtures.appendingPathComponent("\(name).weights.safetensors").path, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try SafeTensorsFile(contentsOf: out)
        let expected = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent("\(name).expected.safetensors").path)
        #expect(Set(got.names) == Set(expected.names))
        let losses = try got.tensor("losses", as: .float64).doubles, ref = try expected.tensor("losses", as: .float64).doubles
        #expect(losses.count == 20 && zip(losses, ref).allSatisfy { abs($0 - $1) <= 2e-5 * abs($1) })
        let bad = try CLI.run(["run", "lm-train", "--input", fixtures.appendingPathComponent("\(name).in.safetensors").path, "--output", out + "2"])
        #expect(bad.status == 1 && bad.stderr.contains("--weights") && !FileManager.default.fileExists(atPath: out + "2"))
    }
}
