import Foundation
import Testing
import Attention
import AttentionSafeTensors
import AttentionText
import AttentionTraining
@testable import AttentionModels

/// The sentiment application: the generated corpus, training to the issue's bars on frames never seen, checkpoints.
struct ClassifierTests {
    /// A sentence's frame: the text with every slot filler (determiner, noun, adjective, intensifier, negation) blanked.
    static func frame(_ text: String) -> String {
        let fillers = Set(SentimentCorpus.determiners + SentimentCorpus.nouns + SentimentCorpus.positiveWords
                          + SentimentCorpus.negativeWords + SentimentCorpus.intensifiers + SentimentCorpus.negations)
        return WordVocabulary.words(in: text).map { fillers.contains($0) ? "_" : $0 }.joined(separator: " ")
    }

    @Test("corpus: balanced labels; no held-out frame occurs in training; each label follows its deciding words")
    func corpus() {
        let (train, test) = SentimentCorpus.generate()
        #expect(train.count == 4000 && test.count == 1000)
        #expect(train.filter { $0.label == "positive" }.count == 2000 && test.filter { $0.label == "positive" }.count == 500)
        #expect(Set(train.map { Self.frame($0.text) }).isDisjoint(with: test.map { Self.frame($0.text) }))
        // Independently of the generator: the deciding adjective's polarity, flipped by a negation among the key words.
        for e in train + test {
            let words = WordVocabulary.words(in: e.text), key = e.keyPositions.map { words[$0] }
            let adjective = key.last!
            let negated = key.count == 2 && SentimentCorpus.negations.contains(key[0])
            #expect(key.count == 1 || negated, "\(e.text)")
            let positive = SentimentCorpus.positiveWords.contains(adjective) != negated
            #expect(positive == (e.label == "positive"), "\(e.text) → \(e.label)")
        }
        // Same seed, same corpus.
        #expect(SentimentCorpus.generate().test == test)
    }

    @Test("trained with the defaults: held-out accuracy ≥ 95 %, attention on the deciding words ≥ 0.5; a saved model classifies identically")
    func trainsGeneralisesAndRoundTrips() throws {
        let corpus = SentimentCorpus.generate()
        let model = try AttentionClassifier.train(on: corpus.train.map { LabelledText(label: $0.label, text: $0.text) })
        let evaluation = model.evaluate(corpus.test.map { LabelledText(label: $0.label, text: $0.text) })
        #expect(evaluation.accuracy >= 0.95, "\(evaluation)")
        let negated = corpus.test.filter { $0.keyPositions.count == 2 }
        #expect(model.evaluate(negated.map { LabelledText(label: $0.label, text: $0.text) }).accuracy >= 0.95)
        #expect(model.keyWordAttention(corpus.test) >= 0.5)
        for r in model.classify(corpus.test.prefix(20).map(\.text)) {
            #expect(abs(r.attention.reduce(0, +) - 1) < 1e-5 && r.attention.count == r.tokens.count)
        }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try AttentionClassifier.load(from: path)
        let texts = corpus.test.prefix(50).map(\.text) + ["an unseen zebra", ""]
        #expect(loaded.classify(texts) == model.classify(texts))
        #expect(loaded.labels == ["positive", "negative"] && loaded.configuration == model.configuration)
    }

    @Test("checkpoints: another task, a plain safetensors file, a truncated file, a missing tensor — each a named error")
    func badCheckpoints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = RandomGenerator(seed: 1)
        let model = try AttentionClassifier(configuration: .init(), vocabulary: WordVocabulary(building: ["a b c"]),
                                            labels: ["x", "y"], rng: &rng)
        let good = dir.appendingPathComponent("good.safetensors").path
        try model.save(to: good)

        let other = dir.appendingPathComponent("other.safetensors").path
        try Checkpoint.write(model, task: "translate", metadata: [:], to: other)
        #expect(throws: CheckpointError.wrongTask(path: other, expected: "classify", found: "translate")) {
            try AttentionClassifier.load(from: other)
        }
        let plain = dir.appendingPathComponent("plain.safetensors").path
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("w", Tensor(shape: [1], scalars: [1]))
        try writer.write(to: plain)
        #expect(throws: CheckpointError.notACheckpoint(path: plain)) { try AttentionClassifier.load(from: plain) }

        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = dir.appendingPathComponent("truncated.safetensors").path
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: truncated))
        do {
            _ = try AttentionClassifier.load(from: truncated)
            Issue.record("a truncated checkpoint loaded")
        } catch {
            #expect(error.description.contains(truncated) && error.description.contains("truncated"), "\(error)")
        }

        let partial = dir.appendingPathComponent("partial.safetensors").path
        let file = try SafeTensorsFile(contentsOf: good)
        var rewritten = SafeTensorsWriter(metadata: file.metadata)
        for name in file.names where name != "output.bias" { try rewritten.add(name, try file.tensor(name)) }
        try rewritten.write(to: partial)
        do {
            _ = try AttentionClassifier.load(from: partial)
            Issue.record("a checkpoint without output.bias loaded")
        } catch {
            #expect(error.description.contains("output.bias"), "\(error)")
        }
    }
}

/// The corpus reader every application uses: line ends, blank lines, named errors with line numbers.
struct LabelledTextTests {
    @Test("LF, CRLF and CR line ends, a BOM and blank lines; fields trimmed; line numbers of the file kept")
    func lineEnds() throws {
        let text = "\u{FEFF}pos\tgood film\r\n\r\nneg\t bad film \rpos\tfine\n\n"
        let rows = try LabelledText.readTSV(NumberedLines(bytes: Array(text.utf8), source: "t.tsv"), source: "t.tsv")
        #expect(rows == [LabelledText(label: "pos", text: "good film", line: 1), LabelledText(label: "neg", text: "bad film", line: 3),
                         LabelledText(label: "pos", text: "fine", line: 4)])
    }

    @Test("a line without a tab, an empty label, invalid UTF-8, a blank file: errors that name the file and line")
    func errors() {
        func read(_ bytes: [UInt8]) throws(TextFileError) -> [LabelledText] {
            try LabelledText.readTSV(NumberedLines(bytes: bytes, source: "c.tsv"), source: "c.tsv")
        }
        #expect(throws: TextFileError.columns(source: "c.tsv", line: 2, expected: 2, found: 1)) { try read(Array("a\tb\nno tab\n".utf8)) }
        #expect(throws: TextFileError.columns(source: "c.tsv", line: 1, expected: 2, found: 3)) { try read(Array("a\tb\tc\n".utf8)) }
        #expect(throws: TextFileError.emptyField(source: "c.tsv", line: 1, column: "label")) { try read(Array(" \tb\n".utf8)) }
        // a \t b \n x \t c a f: the bad byte is the file's tenth, offset 9.
        #expect(throws: TextFileError.invalidUTF8(source: "c.tsv", line: 2, byteOffset: 9)) {
            try read(Array("a\tb\nx\tcaf".utf8) + [0xE9] + Array("\n".utf8))
        }
        #expect(throws: TextFileError.empty(source: "c.tsv")) { try read(Array("\n \r\n".utf8)) }
        #expect(TextFileError.invalidUTF8(source: "c.tsv", line: 2, byteOffset: 8).description == "c.tsv:2: invalid UTF-8 at byte 8 of the file")
    }
}

/// Mini-batches bucketed by length.
struct LengthBatchesTests {
    @Test("each epoch uses every example once; batches are short in spread; the same seed gives the same batches")
    func epochs() {
        var rng = RandomGenerator(seed: 9)
        let lengths = (0..<960).map { _ in 1 + rng.integer(below: 40) }   // three whole windows of 16 × 20
        var a = LengthBatches(lengths: lengths, batchSize: 16, window: 20, seed: 3)
        var b = LengthBatches(lengths: lengths, batchSize: 16, window: 20, seed: 3)
        var seen: [Int] = [], spread = 0
        while a.epoch <= 1 {
            let batch = a.next()
            #expect(batch == b.next())
            if a.epoch > 1 { break }
            seen += batch
            let ls = batch.map { lengths[$0] }
            spread = max(spread, ls.max()! - ls.min()!)
        }
        #expect(seen.sorted() == Array(0..<960))
        // Windows of 320 sorted by length (~8 examples per length): a batch of 16 spans a few lengths, not 1…40.
        #expect(spread <= 8)
    }

    @Test("batchesPerEpoch counts the batches next() gives before the epoch turns", arguments: [(960, 16), (1000, 16), (7, 32), (33, 32)])
    func batchesPerEpoch(_ count: Int, _ size: Int) {
        var batches = LengthBatches(lengths: (0..<count).map { $0 % 13 + 1 }, batchSize: size, window: 20, seed: 2)
        var n = 0
        while true {
            _ = batches.next()
            if batches.epoch > 1 { break }
            n += 1
        }
        #expect(n == batches.batchesPerEpoch && n == (count + size - 1) / size)
    }

    @Test("train/validation split: disjoint, complete, seeded")
    func split() {
        let (train, validation) = trainValidationSplit(count: 50, validationFraction: 0.1, seed: 4)
        #expect(validation.count == 5 && Set(train).isDisjoint(with: validation) && (train + validation).sorted() == Array(0..<50))
        #expect(trainValidationSplit(count: 50, validationFraction: 0.1, seed: 4) == (train, validation))
    }
}
