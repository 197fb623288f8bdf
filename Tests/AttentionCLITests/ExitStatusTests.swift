import Foundation
import AttentionSafeTensors
import AttentionTensorCore
import Testing

/// Errors, exit statuses, limits and what goes to stderr (issue 15, items 6, 7, 9, 11, 12, 13, 14), end to end.
@Suite(.serialized) struct ExitStatusTests {
    static func scratch() throws -> URL { try TextInputTests.scratch() }

    /// No signal (a crash), no backtrace, a message on stderr, nothing on stdout.
    func expectCleanRefusal(_ r: CLI.Result, status: Int32, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.signaled && r.status == status, "status \(r.status) (signal: \(r.signaled)): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Backtrace") && !r.stderr.contains("Fatal error"), "\(r.stderr)", sourceLocation: sourceLocation)
        for m in mentions { #expect(r.stderr.contains(m), "stderr lacks \(m): \(r.stderr)", sourceLocation: sourceLocation) }
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("item 6: a missing input file is exit 66 in every command; usage errors found while running show that command's usage")
    func oneStatusPerKind() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let missing = "/nonexistent/input.txt"
        for args in [["embed", "--model", model.path, "--file", missing], ["tokenize", "--model", model.path, "--file", missing],
                     ["search", "--model", model.path, "--corpus", missing, "q"], ["translate", "--corpus", missing, "je ."],
                     ["run", "sdpa", "--input", missing, "--output", "/tmp/never-written.safetensors"]] {
            expectCleanRefusal(try CLI.run(args), status: 66, mentions: [missing, "no such file"])
        }
        let none = try CLI.run(["embed", "--model", model.path])
        expectCleanRefusal(none, status: 64, mentions: ["no sentences", "Usage: attention embed"])
        #expect(!none.stderr.contains("attention <subcommand>"), "\(none.stderr)")
        let op = try CLI.run(["run", "softmax", "--input", missing, "--output", "/tmp/x.safetensors"])
        expectCleanRefusal(op, status: 64, mentions: ["unknown op 'softmax'", "Usage: attention run"])
        let help = try CLI.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("64  usage error") && help.stdout.contains("74  I/O error"), "\(help.stdout)")
    }

    @Test("item 7: standard output on /dev/full is exit 74 with a message", arguments: [["demo"], ["demo", "--json"], ["embed"], ["tokenize"]])
    func fullDisk(_ args: [String]) throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let full = args[0] == "demo" ? args : args + ["--model", model.path, "--json", "hello world"]
        let r = try CLI.run(full, stdoutPath: "/dev/full")
        #expect(r.status == 74 && !r.signaled, "\(r.stderr)")
        #expect(r.stderr.contains("cannot write to standard output") && r.stderr.contains("No space left"), "\(r.stderr)")
    }

    /// Found by the sweep: outputs are written by a rename over the target, so `run --output /dev/full` run as root
    /// replaced the device with a regular file. An existing output that is not a regular file is now refused.
    @Test("item 7: an output path that is a device or a pipe is refused and left as it is")
    func outputThatIsNotAFile() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("out.safetensors").path, picture = dir.appendingPathComponent("out.svg").path
        #expect(mkfifo(fifo, 0o644) == 0 && mkfifo(picture, 0o644) == 0)
        let input = RunCommandTests.fixture("sdpa_basic", "in")
        expectCleanRefusal(try CLI.run(["run", "sdpa", "--input", input, "--output", fifo]), status: 74, mentions: ["not a regular file"])
        expectCleanRefusal(try CLI.run(["demo", "--json", "--heatmap", picture]), status: 74, mentions: ["not a regular file"])
        for path in [fifo, picture] {
            var info = stat()
            #expect(stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "\(path) was replaced")
        }
    }

    @Test("item 9: numbers past an option's limit are refused with the limit, never a crash", arguments: [
        (["bench", "gemm", "--size", "1000000"], "1...16384"), (["bench", "gemm", "--size", "4000000000"], "1...16384"),
        (["bench", "attention", "--seq", "100000000"], "1...1048576"), (["bench", "attention", "--threads", "100000"], "1...256"),
        (["bench", "attention", "--batch", "4096", "--heads", "1024", "--seq", "1048576"], "GiB of memory"),
        (["bench", "encoder-layer", "--seq", "10000000"], "1...65536"), (["bench", "gemm", "--iterations", "99999999"], "1...10000"),
        (["translate", "--steps", "1000000000", "je ."], "1...100000"),
    ])
    func limits(_ args: [String], limit: String) throws {
        expectCleanRefusal(try CLI.run(args), status: 64, mentions: [limit])
    }

    @Test("item 9: embed --batch-size and search --top have limits too")
    func modelLimits() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        expectCleanRefusal(try CLI.run(["embed", "--model", model.path, "--batch-size", "100000", "x"]), status: 64, mentions: ["1...4096"])
        expectCleanRefusal(try CLI.run(["search", "--model", model.path, "--corpus", "-", "--top", "1000000", "x"]), status: 64,
                           mentions: ["1...100000"])
    }

    @Test("item 11: --version; no progress bar when stderr is not a terminal; --quiet accepted")
    func progressAndVersion() throws {
        let v = try CLI.run(["--version"])
        #expect(v.status == 0 && v.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(v.stdout)")
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let many = Data(String(repeating: "hello world\n", count: 100).utf8)
        for args in [["embed", "--model", model.path, "--file", "-"], ["search", "--model", model.path, "--corpus", "-", "hello"]] {
            let r = try CLI.run(args, stdin: many)
            #expect(r.status == 0 && r.stderr.isEmpty, "stderr is a pipe, yet: \(r.stderr.prefix(200))")
            #expect(try CLI.run(args + ["--quiet"], stdin: many).status == 0)
        }
        #expect(try CLI.run(["translate", "--quiet", "--steps", "2", "je ."]).status == 0)
    }

    @Test("item 12: ATTENTION_NUM_THREADS=abc, a folder without modules.json, truncation: a warning each")
    func warnings() throws {
        let model = try EmbedCommandTests.makeFolder()
        defer { try? FileManager.default.removeItem(at: model) }
        let threads = try CLI.run(["demo", "--json"], environment: ["ATTENTION_NUM_THREADS": "abc"])
        #expect(threads.status == 0 && threads.stderr.contains("warning: ATTENTION_NUM_THREADS=abc is not a positive integer"), "\(threads.stderr)")
        try #"{"max_seq_length": 6}"#.write(to: model.appendingPathComponent("sentence_bert_config.json"), atomically: true, encoding: .utf8)
        let long = try CLI.run(["tokenize", "--model", model.path, "--json", "attention is all you need", "hello"])
        #expect(long.status == 0 && long.stderr.contains("1 input(s) longer than the model's 6 tokens") && long.stderr.contains("TEXT argument:1 (7 tokens)"),
                "\(long.stderr)")
        #expect(try TextInputTests.ids(long) == [[2, 7, 8, 9, 10, 3], [2, 5, 3]])
        try FileManager.default.removeItem(at: model.appendingPathComponent("modules.json"))
        let bare = try CLI.run(["embed", "--model", model.path, "hello"])
        #expect(bare.status == 0 && bare.stderr.contains("has no modules.json") && bare.stderr.contains("no normalisation"), "\(bare.stderr)")
    }

    @Test("item 12: a tensor in a run input that the op does not read is named in a warning")
    func unknownRunTensor() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var writer = SafeTensorsWriter()
        try writer.add("query", Tensor.zeros([1, 1, 2, 4]))
        try writer.add("key", Tensor.zeros([1, 1, 3, 4]))
        try writer.add("value", Tensor.zeros([1, 1, 3, 4]))
        try writer.add("atn_mask", Tensor.zeros([2, 3]))   // a typo of attn_mask: silently unmasked before
        let input = dir.appendingPathComponent("in.safetensors").path, output = dir.appendingPathComponent("out.safetensors").path
        try writer.write(to: input)
        let r = try CLI.run(["run", "sdpa", "--input", input, "--output", output])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning:") && r.stderr.contains("'atn_mask'"), "\(r.stderr)")
    }

    @Test("items 13 and 14: an output folder that does not exist, and --model FILE, are refused before any work")
    func pathsOfTheWrongKind() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no-such-folder/a.svg").path
        let started = Date()
        let t = try CLI.run(["translate", "--steps", "100000", "--heatmap", missing, "je suis grand ."])
        expectCleanRefusal(t, status: 74, mentions: ["--heatmap", "no-such-folder", "does not exist"])
        // 100000 steps take minutes: a refusal within the test's patience means nothing was trained.
        #expect(Date().timeIntervalSince(started) < 60)
        expectCleanRefusal(try CLI.run(["demo", "--heatmap", missing]), status: 74, mentions: ["does not exist"])
        let file = dir.appendingPathComponent("model.txt")
        try "not a folder".write(to: file, atomically: true, encoding: .utf8)
        expectCleanRefusal(try CLI.run(["embed", "--model", file.path, "x"]), status: 66, mentions: ["is a file, not a folder"])
        let help = try CLI.run(["embed", "--help"])
        #expect(help.stdout.contains("Required:") && help.stdout.contains("Optional: modules.json"), "\(help.stdout)")
    }
}
