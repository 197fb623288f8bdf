import ArgumentParser
import Foundation
import AttentionAudio
import AttentionModels
import AttentionTraining
import AttentionVisualization

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
        var map = try Heatmap(rows, rowLabels: labels, columnLabels: columns,
                              title: "\(URL(fileURLWithPath: file).lastPathComponent): \(said) — spectrogram, then where each word looked", range: 0...1)
        map.caption = "Top: the log-mel spectrogram (\(mels) bins, high frequencies on top, 10 ms frames), scaled to its own range. "
            + "Below: one band per recognised word — its attention over the frames, scaled to its peak (three quarters of "
            + "the brightness) over the frame energy (one quarter), so each band lights up where that word was heard."
        return map
    }
}
