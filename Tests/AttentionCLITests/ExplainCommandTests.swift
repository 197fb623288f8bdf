import Foundation
import Testing

/// `attention explain` end to end: on the tiny random BERT folder of `EmbedCommandTests` (no download) for the
/// output forms and every refusal, and on all-MiniLM-L6-v2 against the transformers fixture.
struct ExplainCommandTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("--json: tokens, then attentions [layer][head][query][key], then ids and token types of the pair")
    func jsonOfAPair() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let r = try CLI.run(["explain", "--model", model.path, "--json", "hello world", "attention is all you need"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"tokens\":[\"[CLS]\",\"hello\",\"world\",\"[SEP]\",\"attention\""))
        let order = ["\"tokens\"", "\"attentions\"", "\"input_ids\"", "\"token_type_ids\""].map { r.stdout.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["token_type_ids"] as? [Int] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        let attentions = try #require(object["attentions"] as? [[[[Double]]]])
        #expect(attentions.count == 1 && attentions[0].count == 2)
        for row in attentions[0][1] { #expect(row.count == 10 && abs(row.reduce(0, +) - 1) < 1e-5) }
        #expect(r.stderr.isEmpty)
    }

    @Test("without flags: each token's top tokens in the last layer; --top bounds the list")
    func terminal() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let r = try CLI.run(["explain", "--model", model.path, "--top", "2", "hello world"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].contains("Layer 1 of 1"))
        #expect(lines[2].contains("hello → "))
        #expect(lines[2].matches(of: /\d\.\d\d/).count == 2)
    }

    @Test("longer than max_position_embeddings: cut, and said on stderr")
    func truncationWarning() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let text = Array(repeating: "hello world", count: 10).joined(separator: " ")
        let r = try CLI.run(["explain", "--model", model.path, "--json", text])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: the input has 22 tokens, more than the model's 16: cut to 16"))
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((object["tokens"] as? [String])?.count == 16)
    }

    @Test("--html: one self-contained page with the data, written atomically")
    func html() throws {
        let model = try EmbedCommandTests.makeFolder(), out = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: out) }
        let page = out.appendingPathComponent("explain.html")
        let r = try CLI.run(["explain", "--model", model.path, "--html", page.path, "hello world"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote \(page.path)"))
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOf: page, encoding: .utf8)
        #expect(text.contains("\"tokens\":[\"[CLS]\",\"hello\",\"world\",\"[SEP]\"]"))
        #expect(!text.contains("http://") && !text.contains("https://"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["explain.html"])
    }

    @Test("refusals: named errors, their exit status, nothing written", arguments: [
        ("unknown folder", 66, "no such folder"), ("empty text", 64, "TEXT is empty"), ("empty second text", 64, "SECOND_TEXT is empty"),
        ("missing html folder", 74, "does not exist"), ("html not .html", 64, "ending in .html"), ("top out of range", 64, "--top"),
        ("not a model", 1, "config.json"),
    ])
    func refusals(_ name: String, _ status: Int32, _ phrase: String) throws {
        let model = try EmbedCommandTests.makeFolder(), out = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: out) }
        let m = model.path, page = out.appendingPathComponent("x.html").path
        let arguments: [String] = switch name {
        case "unknown folder": ["--model", out.appendingPathComponent("nope").path, "--html", page, "hello"]
        case "empty text": ["--model", m, "--html", page, ""]
        case "empty second text": ["--model", m, "--html", page, "hello", "  "]
        case "missing html folder": ["--model", m, "--html", out.appendingPathComponent("missing/x.html").path, "hello"]
        case "html not .html": ["--model", m, "--html", out.appendingPathComponent("x.svg").path, "hello"]
        case "top out of range": ["--model", m, "--top", "0", "hello"]
        default: ["--model", out.path, "--html", page, "hello"]
        }
        let r = try CLI.run(["explain"] + arguments)
        #expect(r.status == status, "\(name): \(r.stderr)")
        #expect(r.stderr.contains("Error:") && r.stderr.contains(phrase), "\(name): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "\(name) wrote something")
    }

    @Test("all-MiniLM-L6-v2: the pair's --json equals transformers' output_attentions within 1e-5")
    func miniLMAgainstTransformers() throws {
        let env = ProcessInfo.processInfo.environment
        let dir = env["ATTENTION_MINILM_DIR"] ?? ((env["ATTENTION_CACHE"] ?? NSHomeDirectory() + "/.cache/attention") + "/all-MiniLM-L6-v2")
        try #require(FileManager.default.fileExists(atPath: dir + "/model.safetensors"), "no MiniLM at \(dir): run Scripts/fetch-minilm.sh")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AttentionModelsTests/Fixtures/explain_attentions.json")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as! [String: Any]
        let c = (file["cases"] as! [[String: Any]]).first { $0["name"] as? String == "pair" }!
        let r = try CLI.run(["explain", "--model", dir, "--json", c["text"] as! String, c["text_pair"] as! String])
        #expect(r.status == 0, "\(r.stderr)")
        let ours = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(ours["tokens"] as? [String] == c["tokens"] as? [String])
        #expect(ours["token_type_ids"] as? [Int] == c["token_type_ids"] as? [Int])
        let a = ours["attentions"] as! [[[[Double]]]], b = c["attentions"] as! [[[[Double]]]]
        #expect(a.count == b.count)
        var worst = 0.0
        for (la, lb) in zip(a, b) { for (ha, hb) in zip(la, lb) { for (ra, rb) in zip(ha, hb) { for (x, y) in zip(ra, rb) { worst = max(worst, abs(x - y)) } } } }
        #expect(worst <= 1e-5, "max |diff| \(worst)")
    }
}
