import ArgumentParser
import Foundation
import AttentionAudio
import AttentionModels
import AttentionTraining
import AttentionVisualization

struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Speech recognition with attention over audio frames: spoken digit strings, one word per step, with each word's alignment.",
        discussion: """
            Audio is read from WAV files (PCM 8/16/24/32-bit or float 32/64, any channel count, any rate), resampled \
            to 16 kHz and turned into 40 log-mel bins every 10 ms. A strided convolution (4 frames per token) and a \
            Transformer encoder with local self-attention read the frames; a GRU decoder with additive (Bahdanau) \
            attention over the encoded frames writes the digit words. The data set is made by \
            Scripts/make_speech_data.py (espeak-ng voices, speeds, pitches, noise; the voice variant f3 is held out \
            for the test splits test-clean and test-10db), by default in ~/.cache/attention/speech.

            Alignment is the share of emitted words whose attention peak (the centre of the most attended token) \
            lies inside the time span of the reference word in the same place.

            Example:
              python3 Scripts/make_speech_data.py
              attention listen train --save listen.safetensors
              attention listen eval --load listen.safetensors --json
              attention listen run --load listen.safetensors --heatmap words.png digits.wav
            """,
        subcommands: [ListenTrain.self, ListenEval.self, ListenRun.self]
    )
}

struct SpeechDataOption: ParsableArguments {
    @Option(help: "The data folder written by Scripts/make_speech_data.py (default ~/.cache/attention/speech).")
    var data: String?

    func load() throws -> SpeechCorpus {
        let folder = data ?? SpeechCorpus.defaultDirectory
        if data != nil { try InputPaths.checkFolder(folder, option: "--data") } else if !FileManager.default.fileExists(atPath: folder) {
            throw CLIError.noInput("\(folder): no speech data; run python3 Scripts/make_speech_data.py once, or give --data DIR")
        }
        do { return try SpeechCorpus(directory: folder) } catch { throw CLIError.data("--data \(error.description)") }
    }
}

struct ListenTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a recogniser on the train split; report the held-out voice, clean and at 10 dB SNR.")

    @OptionGroup var data: SpeechDataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (each a mini-batch of utterances with one word count).") var steps: Int = 1500
    @Option(name: .customLong("batch-size"), help: "Utterances per mini-batch.") var batchSize: Int = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (AdamW, warm-up + cosine decay).") var learningRate: Double = 2e-3
    @Option(help: "Encoder width D.") var dimension: Int = 96
    @Option(help: "Encoder layers.") var layers: Int = 2
    @Option(help: "Encoder attention heads.") var heads: Int = 4
    @Option(help: "Decoder GRU width H.") var hidden: Int = 128
    @Option(help: "Local encoder attention: a token attends to tokens at most W to its left (0: everywhere).") var window: Int = 1
    @Option(help: "… and to tokens at most L to its right.") var lookahead: Int = 1
    @Option(help: "Frames of context each token reads on each side of its own 4 frames.") var context: Int = 0
    @Option(help: "Seed of the weights and the batches (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        try Bounds.check([("--steps", steps, 1...1_000_000), ("--batch-size", batchSize, 1...4096), ("--layers", layers, 1...24),
                          ("--hidden", hidden, 1...4096), ("--window", window, 0...4096),
                          ("--context", context, 0...16), ("--lookahead", lookahead, 0...4096)])
        guard (1...1024).contains(dimension), (1...64).contains(heads), dimension % heads == 0 else {
            throw ValidationError("--dimension \(dimension) must be in 1...1024 and a multiple of --heads \(heads) (1...64)")
        }
        guard learningRate > 0, learningRate <= 10 else { throw ValidationError("--learning-rate must be in (0, 10], got \(learningRate)") }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }
        let corpus = try data.load()
        var c = SpeechRecognizer.Configuration()
        c.dimension = dimension; c.layers = layers; c.heads = heads; c.feedForward = 2 * dimension; c.hidden = hidden; c.window = window
        c.context = context; c.lookahead = lookahead
        var options = SpeechRecognizer.TrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.seed = seed
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: SpeechRecognizer
        do {
            model = try SpeechRecognizer.train(on: corpus, configuration: c, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let tests: [(String, SpeechRecognizer.Evaluation)]
        do { tests = try ["test-clean", "test-10db"].map { ($0, try model.evaluate(corpus, split: $0)) } } catch { throw CLIError.data("\(error)") }
        if let save { do { try model.save(to: save) } catch { throw CLIError.io(error.description) } }
        let trained = corpus.utterances(in: "train").count
        if json {
            var pairs: [(String, JSONValue)] = [("train_utterances", .int(trained)), ("parameters", .int(model.parameterCount)),
                                               ("steps", .int(steps)), ("seconds", .double((seconds * 10).rounded() / 10))]
            if let validation { pairs.append(("validation_word_accuracy", .double(validation))) }
            for (split, e) in tests {
                let key = split.replacingOccurrences(of: "-", with: "_")
                pairs += [("\(key)_word_error_rate", .double(e.wordErrorRate)), ("\(key)_alignment", .double(e.alignment))]
            }
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on \(trained) utterances, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s (features included)")
        if let validation { Output.line("validation 1 − WER \(String(format: "%.4f", validation)) (held-back training utterances)") }
        for (split, e) in tests {
            Output.line("\(split): WER \(String(format: "%.4f", e.wordErrorRate)), alignment \(String(format: "%.4f", e.alignment)) on \(e.utterances) utterances of the held-out voice")
        }
        if let save { Output.line("saved \(save)") }
    }
}

struct ListenEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Word error rate and alignment of a saved recogniser on a test split (held-out voice).")

    @OptionGroup var data: SpeechDataOption
    @Option(help: "A model written by `listen train --save`.") var load: String
    @Option(help: "The split of the headline figures: test-clean or test-10db (both are reported under per_split).")
    var split: String = "test-clean"
    @Flag(help: "Print {\"utterances\", \"word_error_rate\", \"alignment\", \"split\", \"per_split\"} as JSON.") var json = false

    func validate() throws {
        guard ["test-clean", "test-10db"].contains(split) else { throw ValidationError("--split must be test-clean or test-10db, got \(split)") }
    }

    func run() throws {
        let model = try loadCheckpoint(load, SpeechRecognizer.load(from:))
        let corpus = try data.load()
        let all: [(String, SpeechRecognizer.Evaluation)]
        do { all = try ["test-clean", "test-10db"].map { ($0, try model.evaluate(corpus, split: $0)) } } catch { throw CLIError.data("\(error)") }
        let main = all.first { $0.0 == split }!.1
        if json {
            try printJSON(.ordered([
                ("utterances", .int(main.utterances)), ("word_error_rate", .double(main.wordErrorRate)),
                ("alignment", .double(main.alignment)), ("split", .string(split)),
                ("per_split", .array(all.map { .ordered([("split", .string($0.0)), ("utterances", .int($0.1.utterances)),
                                                         ("word_error_rate", .double($0.1.wordErrorRate)),
                                                         ("alignment", .double($0.1.alignment))]) })),
            ]))
            return
        }
        for (s, e) in all {
            Output.line("\(s): \(e.utterances) utterances, WER \(String(format: "%.4f", e.wordErrorRate)), alignment \(String(format: "%.4f", e.alignment)) (\(e.words) words)")
        }
    }
}

struct ListenRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Recognise WAV files and show where each word looked.")

    @Option(help: "A model written by `listen train --save`.") var load: String
    @Option(help: "Draw the spectrogram and, under it, each word's attention over time: .png, .svg, .html or .txt (several files: FILE-1.png, …).")
    var heatmap: String?
    @Flag(help: "Print {\"results\": [{\"file\", \"words\": [..], \"alignment\": [word][frames]}]} as JSON (frames of 10 ms).") var json = false
    @Argument(help: "WAV files (PCM 8/16/24/32-bit or float 32/64, any channels, any rate; at most 120 s each).") var files: [String]

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
        guard !files.isEmpty else { throw ValidationError("give at least one WAV file") }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        for f in files { try InputPaths.checkFile(f, option: "FILE") }
        let model = try loadCheckpoint(load, SpeechRecognizer.load(from:))
        // Every file is read before any is recognised, so a bad one is named before work is done.
        var audio: [WAVFile] = []
        for f in files {
            do { audio.append(try WAVFile(contentsOf: f)) } catch { throw CLIError.data(error.description) }
            if audio.last!.duration > 120 {
                throw CLIError.data("\(f): \(String(format: "%.1f", audio.last!.duration)) s of audio; this command reads at most 120 s a file")
            }
        }
        let features = audio.map { SpeechRecognizer.normalised(model.features(samples: $0.samples, sampleRate: $0.sampleRate)) }
        let results = model.recognise(features)
        var pictures: [(String, Heatmap)] = []
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                do { pictures.append((path, try spectrogramPicture(features[k], r, file: files[k]))) } catch { throw CLIError.data("--heatmap: \(error)") }
            }
        }
        if json {
            try printJSON(.ordered([("results", .array(zip(files, results).map { f, r in
                .ordered([("file", .string(f)), ("words", .strings(r.text)), ("alignment", .array(r.alignment.map(JSONValue.doubles))),
                          ("peaks_seconds", .doubles(r.peaks)), ("reached_end", .bool(r.reachedEnd))])
            }))]))
        } else {
            for (f, r) in zip(files, results) {
                Output.line("\(f): \(r.text.isEmpty ? "(nothing)" : r.text.joined(separator: " "))\(r.reachedEnd ? "" : " (no end of utterance)")")
            }
        }
        for (path, picture) in pictures {
            do { try picture.write(to: URL(fileURLWithPath: path), cellSize: 3) } catch { throw heatmapWriteError(error) }
            Console.note("wrote \(path)")
        }
    }

    /// The spectrogram (high frequencies on top, scaled to its own range), then one band of rows per word: that word's
    /// attention over time scaled to its peak (three quarters of the brightness) over the spectrogram's frame energy
    /// (one quarter), so where each word looked lines up with what was heard there. Columns are 10 ms frames.
    func spectrogramPicture(_ frames: [[Double]], _ r: SpeechRecognizer.Recognition, file: String) throws -> Heatmap {
        let mels = frames.first?.count ?? 0
        let all = frames.joined(), low = all.min() ?? 0, high = all.max() ?? 1, span = max(high - low, 1e-9)
        var rows = (0..<mels).reversed().map { j in frames.map { ($0[j] - low) / span } }
        var labels = (0..<mels).map { $0 == mels / 2 ? "log-mel" : "" }
        let energy = frames.map { f in f.reduce(0) { $0 + ($1 - low) / span } / Double(max(mels, 1)) }
        let eTop = max(energy.max() ?? 1, 1e-9)
        for (t, map) in r.alignment.enumerated() {
            let top = max(map.max() ?? 1, 1e-12)
            rows.append([Double](repeating: 0, count: frames.count)); labels.append("")
            for k in 0..<6 {
                rows.append((0..<frames.count).map { 0.25 * energy[$0] / eTop + 0.75 * map[$0] / top })
                labels.append(k == 3 ? "\(t + 1): \(r.text[t])" : "")
            }
        }
        let columns = (0..<frames.count).map { $0 % 50 == 0 ? String(format: "%.1fs", Double($0) / 100) : "" }
        let said = r.text.isEmpty ? "(nothing)" : r.text.joined(separator: " ")
        return try Heatmap(rows, rowLabels: labels, columnLabels: columns,
                           title: "\(URL(fileURLWithPath: file).lastPathComponent): \(said) — spectrogram, then where each word looked", range: 0...1)
    }
}
