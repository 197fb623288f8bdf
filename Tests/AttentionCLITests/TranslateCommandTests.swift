import Foundation
import Testing

/// End-to-end: `attention translate` and `attention demo --heatmap` as a user runs them.
struct TranslateCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("translate: trains on the tutorial corpus, translates, prints the alignment, writes one picture per sentence")
    func translates() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["translate", "je suis étudiant .", "il a une voiture .", "--heatmap", dir.appendingPathComponent("a.svg").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("je suis étudiant .  →  i am a student ."))
        #expect(r.stdout.contains("il a une voiture .  →  he has a car ."))
        #expect(r.stdout.contains("columns: je | suis | étudiant | ."))
        for k in 1...2 {
            let svg = try String(contentsOf: dir.appendingPathComponent("a-\(k).svg"), encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.contains("Bahdanau alignment"))
        }
    }

    @Test("translate --json: the translation and an alignment whose rows are distributions over the French words")
    func json() throws {
        let r = try CLI.run(["translate", "--json", "--steps", "150", "elle a un chat ."])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let first = (object["translations"] as! [[String: Any]])[0]
        #expect(first["translation"] as? String == "she has a cat .")
        let alignment = first["alignment"] as! [[Double]]
        #expect(alignment.count == 6)   // five words and <eos>
        #expect(first["stopped_at_length_limit"] as? Bool == false)
        for row in alignment { #expect(row.count == 5 && abs(row.reduce(0, +) - 1) < 1e-5) }
    }

    @Test("bad input: unknown picture format, malformed corpus line, missing sentence — each a named error and exit ≠ 0")
    func errors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let format = try CLI.run(["translate", "je suis grand .", "--heatmap", dir.appendingPathComponent("a.gif").path])
        #expect(format.status != 0 && format.stderr.contains("a.gif"))
        let corpus = dir.appendingPathComponent("bad.tsv")
        try "je suis grand .\ti am tall .\nune ligne sans tabulation\n".write(to: corpus, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["translate", "--corpus", corpus.path, "je suis grand ."])
        #expect(bad.status != 0 && bad.stderr.contains("bad.tsv:2:") && bad.stderr.contains("tab"))
        let none = try CLI.run(["translate"])
        #expect(none.status != 0 && none.stderr.contains("SENTENCE"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.tsv"], "nothing else was written")
    }

    @Test("item 4: a translation that never emits <eos> (one training step) is shown, drawn and said to stop at the limit")
    func noEndOfSentence() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("a.svg")
        let r = try CLI.run(["translate", "--steps", "1", "--heatmap", svg.path, "je suis étudiant ."])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("stopped at the length limit of 30 words"), "\(r.stdout.prefix(400))")
        #expect(r.stdout.contains("columns: je | suis | étudiant | ."), "the alignment is displayed")
        #expect(r.stderr.contains("warning:") && r.stderr.contains("stopped at the length limit of 30 words without <eos>"))
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.components(separatedBy: "class=\"row-label\"").count - 1 == 30, "30 rows, no <eos> row")
        #expect(!text.contains("&lt;eos&gt;"))
        let json = try CLI.run(["translate", "--steps", "1", "--json", "je suis étudiant ."])
        let first = ((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any])["translations"] as! [[String: Any]])[0]
        #expect(first["stopped_at_length_limit"] as? Bool == true)
        #expect((first["translation"] as! String).split(separator: " ").count == 30)
        #expect((first["alignment"] as! [[Double]]).count == 30)
    }

    @Test("item 12: words outside the training corpus are named in a warning (they become <unk>)")
    func unknownWords() throws {
        let r = try CLI.run(["translate", "--steps", "2", "--json", "je suis xylophone zèbre ."])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("translated as <unk>: xylophone zèbre"), "\(r.stderr)")
        let first = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["translations"] as! [[String: Any]])[0]
        #expect(first["unknown_words"] as? [String] == ["xylophone", "zèbre"])
        let known = try CLI.run(["translate", "--steps", "2", "je suis grand ."])
        #expect(!known.stderr.contains("<unk>"))
    }

    @Test("demo --heatmap writes the seed's weights as a picture (PNG signature, SVG labels)")
    func demoHeatmap() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("demo.png"), svg = dir.appendingPathComponent("demo.svg")
        #expect(try CLI.run(["demo", "--heatmap", png.path]).status == 0)
        #expect(try CLI.run(["demo", "--heatmap", svg.path]).status == 0)
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let text = try String(contentsOf: svg, encoding: .utf8)
        for label in ["Bonjour", "le", "monde", "0.3619"] { #expect(text.contains(label), "SVG lacks \(label)") }
    }
}
