import Foundation
import Testing

/// The CLI's one input layer end to end (issue 15, items 2, 5, 8, 10, 12, 14): CRLF and CR files, blank lines,
/// standard input, invalid UTF-8, and JSON whose keys come in one declared order. The tiny model folder of
/// ``EmbedCommandTests`` has the vocabulary [PAD] [UNK] [CLS] [SEP] [MASK] hello world attention is all you need, so
/// the expected ids are read off that list: "hello world" → [CLS] 2, hello 5, world 6, [SEP] 3.
@Suite(.serialized) struct TextInputTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attention-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func ids(_ r: CLI.Result) throws -> [[Int]] {
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return object["input_ids"] as! [[Int]]
    }

    static let expected = [[2, 5, 6, 3], [2, 7, 8, 9, 10, 11, 3], [2, 5, 3]]

    @Test("item 2: LF, CRLF and CR files give the same three lines", arguments: ["\n", "\r\n", "\r"])
    func lineEnds(_ end: String) throws {
        let model = try EmbedCommandTests.makeFolder(), dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: dir) }
        let text = ["hello world", "attention is all you need", "hello"].joined(separator: end) + end
        let file = try Self.write(Array(text.utf8), "lines.txt", in: dir)
        let r = try CLI.run(["tokenize", "--model", model.path, "--json", "--file", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.ids(r) == Self.expected)
    }

    @Test("item 2: a CRLF corpus is many lines for search and translate")
    func crlfCorpora() throws {
        let model = try EmbedCommandTests.makeFolder(), dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.write(Array("hello world\r\nattention is all you need\r\nhello\r\n".utf8), "c.txt", in: dir)
        let s = try CLI.run(["search", "--model", model.path, "--corpus", corpus, "--top", "10", "--json", "hello"])
        #expect(s.status == 0, "\(s.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as! [[String: Any]]
        #expect(Set(rows.map { $0["line"] as! Int }) == [1, 2, 3])
        #expect(Set(rows.map { $0["text"] as! String }) == ["hello world", "attention is all you need", "hello"])
        let tsv = try Self.write(Array("je suis grand .\ti am tall .\r\nil est petit .\the is small .\r\n".utf8), "c.tsv", in: dir)
        let t = try CLI.run(["translate", "--corpus", tsv, "--steps", "3", "--json", "je suis petit ."])
        #expect(t.status == 0, "\(t.stderr)")
    }

    @Test("item 5: search skips blank lines and reports the original line numbers")
    func searchSkipsBlankLines() throws {
        let model = try EmbedCommandTests.makeFolder(), dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.write(Array("hello world\n\n   \n\t\nattention is all you need\n\n".utf8), "c.txt", in: dir)
        let r = try CLI.run(["search", "--model", model.path, "--corpus", corpus, "--top", "10", "--json", "hello"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(rows.count == 2)
        #expect(Set(rows.map { $0["line"] as! Int }) == [1, 5])
    }

    @Test("item 8: --file - and /dev/stdin read a pipe", arguments: ["-", "/dev/stdin"])
    func standardInput(_ path: String) throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let input = Data("hello world\nattention is all you need\r\nhello".utf8)
        let r = try CLI.run(["tokenize", "--model", model.path, "--json", "--file", path], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.ids(r) == Self.expected)
        let e = try CLI.run(["embed", "--model", model.path, "--json", "--file", path], stdin: input)
        #expect(e.status == 0, "\(e.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        #expect((object["embeddings"] as! [[Double]]).count == 3)
        let s = try CLI.run(["search", "--model", model.path, "--corpus", path, "--json", "hello"], stdin: input)
        #expect(s.status == 0, "\(s.stderr)")
    }

    @Test("item 12: invalid UTF-8 in a file or an argument is a named error with the byte offset, never dropped")
    func invalidUTF8() throws {
        let model = try EmbedCommandTests.makeFolder(), dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: dir) }
        // "hello\ncafé" with é in Latin-1 (0xE9): line 2, byte offset 9 of the file.
        let file = try Self.write(Array("hello\ncaf".utf8) + [0xE9, 0x0A], "latin1.txt", in: dir)
        let r = try CLI.run(["tokenize", "--model", model.path, "--file", file])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("latin1.txt:2") && r.stderr.contains("0xE9") && r.stderr.contains("byte offset 9"), "\(r.stderr)")
        let a = try CLI.run([model.path], shell: #"exec "$0" tokenize --model "$1" "$(printf 'caf\351')""#)
        #expect(a.status == 64)
        #expect(a.stderr.contains("argument 4 is not UTF-8") && a.stderr.contains("0xE9") && a.stderr.contains("byte offset 3"), "\(a.stderr)")
    }

    @Test("items 10 and 14: JSON keys in declared order, the same bytes every run; tokenize gains tokens, embed texts")
    func jsonOrder() throws {
        let model = try EmbedCommandTests.makeFolder(), dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: model); try? FileManager.default.removeItem(at: dir) }
        let corpus = try Self.write(Array("hello world\nattention is all you need\n".utf8), "c.txt", in: dir)
        let commands: [([String], [String])] = [
            (["tokenize", "--model", model.path, "--json", "hello world"], [#"{"input_ids":"#, #"],"tokens":[["[CLS]","hello","world","[SEP]"]]}"#]),
            (["similarity", "--model", model.path, "--json", "hello", "world"], [#"{"sentences":["hello","world"],"similarity":"#]),
            (["search", "--model", model.path, "--corpus", corpus, "--json", "hello"], [#"[{"line":"#, #","text":""#, #","score":"#]),
            (["embed", "--model", model.path, "--json", "hello"], [#"{"model":"#, #","dimension":8,"embeddings":"#, #"],"texts":["hello"]}"#]),
            (["translate", "--steps", "2", "--json", "je suis ."], [#"{"translations":[{"source":"je suis .","translation":"#, #","alignment":"#, #","stopped_at_length_limit":"#]),
        ]
        for (args, pieces) in commands {
            let first = try CLI.run(args)
            #expect(first.status == 0, "\(args[0]): \(first.stderr)")
            var position = first.stdout.startIndex
            for piece in pieces {
                let found = first.stdout.range(of: piece, range: position..<first.stdout.endIndex)
                #expect(found != nil, "\(args[0]) --json lacks \(piece) in order: \(first.stdout.prefix(300))")
                if let found { position = found.upperBound }
            }
            for _ in 0..<3 { #expect(try CLI.run(args).stdout == first.stdout, "\(args[0]) --json changed between runs") }
        }
    }
}
