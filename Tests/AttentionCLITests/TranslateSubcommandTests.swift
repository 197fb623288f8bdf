import Foundation
import Testing

/// End-to-end: `attention translate train|eval|run|corpus` as a user runs them, and every bad input refused by name.
struct TranslateSubcommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-translate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A corpus that is not a built-in one: German → English, CRLF line ends, a blank line.
    static let german = ["ich sehe den hund .\ti see the dog .", "du siehst die katze .\tyou see the cat .",
                         "ich sehe die katze .\ti see the cat .", "du siehst den hund .\tyou see the dog .",
                         "der hund schläft .\tthe dog sleeps .", "die katze schläft .\tthe cat sleeps ."]

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test("train --corpus F.tsv (CRLF) --save, eval --json, run --json: keys, shapes, <eos>, rows summing to 1", arguments: ["bahdanau", "transformer"])
    func trainEvalRun(_ architecture: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("de.tsv")
        try Data((Self.german.joined(separator: "\r\n") + "\r\n\r\n").utf8).write(to: corpus)
        let model = dir.appendingPathComponent("m.safetensors").path
        let train = try CLI.run(["translate", "train", "--corpus", corpus.path, "--architecture", architecture, "--steps", "150",
                                 "--batch-size", "6", "--save", model, "--quiet", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.isEmpty, "--quiet and a pipe: no progress")
        let summary = try Self.json(train.stdout)
        #expect(summary["pairs"] as? Int == 6 && summary["steps"] as? Int == 150 && summary["architecture"] as? String == architecture)

        let eval = try CLI.run(["translate", "eval", "--load", model, "--corpus", corpus.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.hasPrefix(#"{"pairs":6,"exact_match":"#) && eval.stdout.contains(#","bleu":"#), "\(eval.stdout)")
        #expect((try Self.json(eval.stdout)["exact_match"] as? Double ?? 0) >= 5.0 / 6, "\(eval.stdout)")

        let run = try CLI.run(["translate", "run", "--load", model, "--json", "--all-heads", "ich sehe den hund .", "die Katze schläft !"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("translated as <unk>: !"), "\(run.stderr)")
        let translations = try Self.json(run.stdout)["translations"] as! [[String: Any]]
        #expect(translations.count == 2)
        #expect(translations[0]["source"] as? [String] == ["ich", "sehe", "den", "hund", "."])
        #expect(translations[0]["target"] as? [String] == ["i", "see", "the", "dog", ".", "<eos>"])
        #expect(translations[1]["source"] as? [String] == ["die", "katze", "schläft", "!"])
        for t in translations {
            let target = t["target"] as! [String], source = t["source"] as! [String], alignment = t["alignment"] as! [[Double]]
            #expect(target.last == "<eos>" && alignment.count == target.count)
            for row in alignment { #expect(row.count == source.count && abs(row.reduce(0, +) - 1) < 1e-5) }
            if architecture == "transformer" {
                let heads = t["cross_attention"] as! [[[[Double]]]]
                #expect(heads.count == 2 && heads.allSatisfy { $0.count == 4 })   // default: 2 decoder layers, 4 heads
                // The alignment is the last layer's mean over heads.
                for (r, row) in alignment.enumerated() { for (c, x) in row.enumerated() {
                    #expect(abs(heads[1].reduce(0) { $0 + $1[r][c] } / 4 - x) < 1e-6)
                } }
            } else {
                #expect(t["cross_attention"] == nil)
            }
        }
        let beam = try CLI.run(["translate", "run", "--load", model, "--beam", "3", "ich sehe den hund ."])
        #expect(beam.status == 0 && beam.stdout.contains("ich sehe den hund .  →  i see the dog ."), "\(beam.stdout)")
    }

    @Test("--seed gives bit-identical checkpoints; another seed another model; run --heatmap writes an SVG")
    func seeded() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func train(_ name: String, seed: String) throws -> Data {
            let path = dir.appendingPathComponent(name).path
            let r = try CLI.run(["translate", "train", "--corpus", "builtin:tutorial", "--steps", "20", "--seed", seed, "--save", path, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let a = try train("a.safetensors", seed: "4"), b = try train("b.safetensors", seed: "4"), c = try train("c.safetensors", seed: "5")
        #expect(a == b && a != c)
        // --epochs counts passes over the training part: 42 pairs less 2 for validation, 5 batches of 8 each.
        let epochs = try CLI.run(["translate", "train", "--corpus", "builtin:tutorial", "--epochs", "2", "--batch-size", "8", "--json", "--quiet"])
        let epochSteps = try Self.json(epochs.stdout)["steps"] as? Int
        #expect(epochs.status == 0 && epochSteps == 10, "\(epochs.stdout)")
        let svg = dir.appendingPathComponent("a.svg")
        let r = try CLI.run(["translate", "run", "--load", dir.appendingPathComponent("a.safetensors").path, "--heatmap", svg.path, "je suis grand ."])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") && text.contains("Bahdanau alignment") && text.contains("grand"))
    }

    @Test("corpus writes the built-in splits; the held-out split shares no sentence with training")
    func corpus() throws {
        let train = try CLI.run(["translate", "corpus"]), test = try CLI.run(["translate", "corpus", "--name", "builtin:grammar-test"])
        #expect(train.status == 0 && test.status == 0)
        let a = train.stdout.split(separator: "\n"), b = test.stdout.split(separator: "\n")
        #expect(a.count == 6000 && b.count == 600)
        #expect(a.allSatisfy { $0.split(separator: "\t").count == 2 })
        #expect(Set(a).isDisjoint(with: b))
    }

    @Test("bad input: each a named error (file, line, what was expected), exit ≠ 0, the existing --save file untouched")
    func badInput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let existing = dir.appendingPathComponent("keep.safetensors")
        try Data("precious".utf8).write(to: existing)
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        let cases: [(String, [UInt8], [String])] = [
            ("ragged.tsv", Array("un chat .\ta cat .\nle chien\tthe\tdog\n".utf8), ["ragged.tsv:2:", "one tab", "found 2"]),
            ("notab.tsv", Array("un chat .\ta cat .\r\nsans tabulation\r\n".utf8), ["notab.tsv:2:", "one tab", "found 0"]),
            ("empty.tsv", [], ["empty.tsv", "no sentence pairs"]),
            ("blank.tsv", Array("\n\n  \n".utf8), ["blank.tsv", "no sentence pairs"]),
            ("half.tsv", Array("un chat .\t \n".utf8), ["half.tsv:1:", "both have words"]),
            ("latin1.tsv", Array("un chat .\ta cat .\nun caf".utf8) + [0xE9] + Array("\ta coffee\n".utf8), ["latin1.tsv:2:", "not UTF-8"]),
        ]
        for (name, bytes, expected) in cases {
            let path = try file(name, bytes)
            let r = try CLI.run(["translate", "train", "--corpus", path, "--steps", "2", "--save", existing.path])
            #expect(r.status == 1, "\(name): \(r.status) \(r.stderr)")
            for e in expected { #expect(r.stderr.contains(e), "\(name): \(r.stderr)") }
            let eval = try CLI.run(["translate", "eval", "--load", existing.path, "--corpus", path])
            #expect(eval.status != 0)
        }
        #expect(try Data(contentsOf: existing) == Data("precious".utf8), "a failed run never overwrites --save")

        // Checkpoints: not a checkpoint at all, a safetensors file of another task, a truncated one, the other architecture.
        let good = dir.appendingPathComponent("good.safetensors").path
        #expect(try CLI.run(["translate", "train", "--corpus", "builtin:tutorial", "--steps", "2", "--save", good, "--quiet"]).status == 0)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let truncated = try file("truncated.safetensors", Array(bytes.prefix(bytes.count - 100)))
        let classifier = dir.appendingPathComponent("classifier.safetensors").path
        #expect(try CLI.run(["classify", "train", "--steps", "2", "--save", classifier, "--quiet"]).status == 0)
        // The transformer's weights under the bahdanau model's metadata.
        let transformer = dir.appendingPathComponent("transformer.safetensors").path
        #expect(try CLI.run(["translate", "train", "--corpus", "builtin:tutorial", "--architecture", "transformer", "--steps", "2",
                             "--save", transformer, "--quiet"]).status == 0)
        let other = try file("other.safetensors", Self.swapMetadata(weightsOf: [UInt8](try Data(contentsOf: URL(fileURLWithPath: transformer))),
                                                                  metadataOf: bytes))
        let loads: [(String, [String])] = [
            (try file("text.safetensors", Array("just some text\n".utf8)), ["text.safetensors"]),
            (classifier, ["classifier.safetensors", "task \"classify\"", "expected \"translate\""]),
            (truncated, ["truncated.safetensors"]),
            (other, ["other.safetensors", "bahdanau", "forwardEncoder"]),
            (dir.appendingPathComponent("missing.safetensors").path, ["missing.safetensors"]),
        ]
        for (path, expected) in loads {
            for command in [["translate", "run", "--load", path, "je ."], ["translate", "eval", "--load", path, "--corpus", "builtin:tutorial"]] {
                let r = try CLI.run(command)
                #expect(r.status != 0 && r.stdout.isEmpty, "\(command)")
                for e in expected { #expect(r.stderr.contains(e), "\(command): \(r.stderr)") }
            }
        }
        // A failed run writes no picture.
        let picture = dir.appendingPathComponent("never.svg")
        #expect(try CLI.run(["translate", "run", "--load", truncated, "--heatmap", picture.path, "je ."]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: picture.path))
        let unknown = try CLI.run(["translate", "train", "--corpus", "builtin:nothing"])
        #expect(unknown.status == 64 && unknown.stderr.contains("builtin:grammar"))
    }

    /// A safetensors file with the tensors of `weightsOf` and the `__metadata__` of `metadataOf` (header rewritten).
    static func swapMetadata(weightsOf a: [UInt8], metadataOf b: [UInt8]) throws -> [UInt8] {
        func header(_ bytes: [UInt8]) throws -> (json: [String: Any], data: ArraySlice<UInt8>) {
            let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
            return (json, bytes[(8 + n)...])
        }
        var (json, data) = try header(a)
        json["__metadata__"] = try header(b).json["__metadata__"]
        var text = [UInt8](try JSONSerialization.data(withJSONObject: json))
        while text.count % 8 != 0 { text.append(0x20) }
        let n = text.count
        return (0..<8).map { UInt8((n >> (8 * $0)) & 0xFF) } + text + data
    }
}
