import Foundation
import Testing

/// End-to-end: `attention caption train|eval|run` as a user runs them, on a small digits file of our own.
struct CaptionCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-caption-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// 120 labelled rows (64 values and the label): digit d lights row d % 8 of its image.
    static let digits: String = (0..<120).map { i in
        let d = i % 10
        return ((0..<64).map { p in p / 8 == d % 8 && (d < 8 ? p % 8 < 4 : p % 8 >= 4) ? "15" : String(i % 3) } + [String(d)])
            .joined(separator: ",")
    }.joined(separator: "\n") + "\n"

    static func row(_ n: Int, _ v: String = "1") -> String { [String](repeating: v, count: n).joined(separator: ",") }

    /// A tiny captioner trained for a few steps (the figures are not the point here, the interface is).
    static func trainTiny(in dir: URL) throws -> (data: String, model: String) {
        let data = dir.appendingPathComponent("digits.csv").path
        try Data(Self.digits.utf8).write(to: URL(fileURLWithPath: data))
        let model = dir.appendingPathComponent("caption.safetensors").path
        let train = try CLI.run(["caption", "train", "--data", data, "--steps", "4", "--dimension", "16", "--heads", "2", "--layers", "1",
                                 "--hidden", "16", "--save", model, "--quiet", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.isEmpty, "--quiet and a pipe: no progress")
        let report = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as! [String: Any]
        #expect(report["steps"] as? Int == 4 && report["test_strips"] as? Int == 1000 && report["saved"] as? String == model)
        return (data, model)
    }

    @Test("train --save, eval --json (keys in order, every length), run --json (caption and [word][8][8k] maps), --heatmap PNG and SVG")
    func trainEvalRun() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, model) = try Self.trainTiny(in: dir)

        let eval = try CLI.run(["caption", "eval", "--load", model, "--data", data, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.hasPrefix("{\"strips\":1000,\"exact_match\":"))
        let keys = ["\"exact_match\"", "\"localisation\"", "\"digits\"", "\"word_accuracy\"", "\"per_length\""]
        let positions = keys.compactMap { eval.stdout.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
        let report = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
        #expect((report["per_length"] as! [[String: Any]]).map { $0["digits"] as? Int } == [2, 3, 4])
        #expect((0...1).contains(report["localisation"] as! Double))

        let csv = dir.appendingPathComponent("strips.csv").path
        try Data((Self.row(128, "3") + "\r\n" + Self.row(192, "7") + "\r\n").utf8).write(to: URL(fileURLWithPath: csv))
        let run = try CLI.run(["caption", "run", "--load", model, "--csv", csv, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let results = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]]
        #expect(results.count == 2)
        for (r, width) in zip(results, [16, 24]) {
            let words = r["caption"] as! [String], maps = r["attention"] as! [[[Double]]]
            #expect(words.count == maps.count && words.count <= 4)
            for m in maps {
                #expect(m.count == 8 && m.allSatisfy { $0.count == width })
                #expect(abs(m.joined().reduce(0, +) - 1) < 1e-4)
            }
        }

        let png = dir.appendingPathComponent("words.png").path
        let one = dir.appendingPathComponent("one.csv").path
        try Data((Self.row(256, "5") + "\n").utf8).write(to: URL(fileURLWithPath: one))
        let drawn = try CLI.run(["caption", "run", "--load", model, "--csv", one, "--heatmap", png])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let svg = dir.appendingPathComponent("words.svg").path
        #expect(try CLI.run(["caption", "run", "--load", model, "--csv", csv, "--heatmap", svg]).status == 0)
        let picture = try String(contentsOfFile: svg.replacingOccurrences(of: ".svg", with: "-2.svg"), encoding: .utf8)
        #expect(picture.hasPrefix("<svg") && picture.contains("caption:") && picture.contains("the strip"))
        // One panel per word after the strip: captions "1: word", "2: word", … in the SVG.
        let words = try CLI.run(["caption", "run", "--load", model, "--csv", csv, "--json"])
        let second = try JSONSerialization.jsonObject(with: Data(words.stdout.utf8)) as! [String: Any]
        let caption = ((second["results"] as! [[String: Any]])[1]["caption"] as! [String])
        for (t, w) in caption.enumerated() { #expect(picture.contains(">\(t + 1): \(w)<"), "panel \(t + 1) of \(caption)") }
        // --scale 2 doubles the PNG's width and height (IHDR at bytes 16–23).
        let png2 = dir.appendingPathComponent("words2.png").path
        #expect(try CLI.run(["caption", "run", "--load", model, "--csv", one, "--heatmap", png2, "--scale", "2"]).status == 0)
        let big = try Data(contentsOf: URL(fileURLWithPath: png2))
        func be32(_ d: Data, _ at: Int) -> Int { d[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(big, 16) == 2 * be32(bytes, 16) && be32(big, 20) == 2 * be32(bytes, 20))
    }

    @Test("bad input: wrong row length, 17, NaN, an empty file, a digits checkpoint: named errors, exit 1, no picture written")
    func badInput() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, model) = try Self.trainTiny(in: dir)
        let vit = dir.appendingPathComponent("vit.safetensors").path
        let digits = try CLI.run(["digits", "train", "--data", data, "--steps", "2", "--dimension", "8", "--heads", "2", "--layers", "1",
                                  "--save", vit, "--quiet"])
        #expect(digits.status == 0, "\(digits.stderr)")
        let picture = dir.appendingPathComponent("never.png").path
        func fails(_ name: String, _ text: String, _ phrase: String, load: String? = nil) throws {
            let csv = dir.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: csv))
            let r = try CLI.run(["caption", "run", "--load", load ?? model, "--csv", csv, "--heatmap", picture, "--json"])
            #expect(r.status == 1, "\(name): status \(r.status)")
            #expect(r.stderr.contains(phrase), "\(name): \(r.stderr)")
            #expect(r.stdout.isEmpty && !FileManager.default.fileExists(atPath: picture), "\(name): something was written")
        }
        try fails("short.csv", Self.row(128) + "\n" + Self.row(127) + "\n", "short.csv:2: a strip row holds 64·k values for k = 2…4 digits (128, 192, 256), found 127")
        try fails("single.csv", Self.row(64) + "\n", "found 64")
        try fails("range.csv", "17," + Self.row(127) + "\n", "range.csv:1: column 1 is 17.0, outside the pixel range 0…16")
        try fails("nan.csv", Self.row(3) + ",NaN," + Self.row(124) + "\n", "nan.csv:1: column 4 is \"NaN\", not a finite number")
        try fails("empty.csv", "", "empty.csv: no strip rows")
        try fails("blank.csv", "\n  \n", "no strip rows")
        try fails("ok.csv", Self.row(128) + "\n", "a checkpoint of task \"digits\", expected \"caption\"", load: vit)
        let eval = try CLI.run(["caption", "eval", "--load", vit, "--data", data])
        #expect(eval.status == 1 && eval.stderr.contains("expected \"caption\""))
        let usage = try CLI.run(["caption", "eval", "--load", model, "--digits", "5"])
        #expect(usage.status == 64 && usage.stderr.contains("--digits"))
        for (flag, value) in [("--intensity", "1"), ("--label-smoothing", "1.5"), ("--shift", "5"), ("--rotation", "46")] {
            let bad = try CLI.run(["caption", "train", "--data", data, flag, value, "--steps", "1"])
            #expect(bad.status == 64 && bad.stderr.contains(flag), "\(flag) \(value): \(bad.stderr)")
        }
    }
}
