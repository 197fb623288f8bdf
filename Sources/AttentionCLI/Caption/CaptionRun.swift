import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct CaptionRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Caption strips of digits and show where each word looked.")

    @Option(help: "A model written by `caption train --save`.") var load: String
    @Option(help: "Rows of 64·k comma-separated values 0–16 (a strip of k digits, 8 rows of 8k, row-major; k = 2…4); '-' reads standard input.")
    var csv: String
    @Option(help: "Draw the strip and one panel per word, that word's attention over the strip: .png, .svg, .html or .txt (several strips: FILE-1.png, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print {\"results\": [{\"caption\": [words], \"attention\": [word][8][8k]}]} as JSON.") var json = false

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        if csv != "-" { try InputPaths.checkFile(csv, option: "--csv") }   // a missing input is named before the model loads
        let model = try loadCaptioner(load)
        let lines = NumberedLines(lines: try TextInput.lines(of: csv, option: "--csv").map { .init(number: $0.number, text: $0.text) })
        let strips: [[Double]]
        do {
            strips = try DigitStrips.read(lines: lines, source: TextInput.sourceName(csv),
                                          supported: DigitStrips.lengths.lowerBound...min(DigitStrips.lengths.upperBound, model.configuration.maxDigits))
        } catch { throw CLIError.data("--csv \(error.description)") }
        let captions = model.caption(strips)
        // Every picture is made before any is written, so a failure leaves no file behind.
        var pictures: [(String, CaptionPicture)] = []
        if let heatmap {
            for (k, caption) in captions.enumerated() {
                let path = captions.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                do {
                    pictures.append((path, path.lowercased().hasSuffix(".txt") ? .text(try captionText(strips[k], caption))
                                                                               : .overlay(try captionOverlay(strips[k], caption))))
                } catch { throw CLIError.data("--heatmap: \(error)") }
            }
        }
        if json {
            try printJSON(.ordered([("results", .array(captions.map { c in
                .ordered([("caption", .strings(c.words)), ("attention", .array(c.attention.map { .array($0.map(JSONValue.doubles)) }))])
            }))]))
        } else {
            for (k, c) in captions.enumerated() {
                Output.line("strip \(k + 1): \(c.words.joined(separator: " "))\(c.reachedEnd ? "" : " (no end of caption)")")
            }
        }
        for (path, picture) in pictures {
            do {
                switch picture {
                case let .overlay(o): try o.write(to: URL(fileURLWithPath: path), pixelSize: 10, scale: scale.scale)
                case let .text(h): try h.write(to: URL(fileURLWithPath: path))
                }
            } catch { throw heatmapWriteError(error) }
            Console.note("wrote \(path)")
        }
    }

    enum CaptionPicture { case overlay(AttentionOverlay), text(Heatmap) }

    /// The strip, then one panel per word with that word's attention laid over the strip (the overlay's colours
    /// are scaled per panel, so each word's most attended pixels stand out whatever its peak weight).
    func captionOverlay(_ strip: [Double], _ caption: CaptionModel.Caption) throws -> AttentionOverlay {
        let height = DigitStrips.cell, width = strip.count / height
        let image = (0..<height).map { r in (0..<width).map { strip[r * width + $0] / DigitImages.maximumValue } }
        let none = image.map { $0.map { _ in 0.0 } }
        let said = caption.words.isEmpty ? "(nothing)" : caption.words.joined(separator: " ")
        return try AttentionOverlay(title: "caption: \(said)", panels: [.init(image: image, attention: none, caption: "the strip")]
            + caption.attention.enumerated().map { t, map in .init(image: image, attention: map, caption: "\(t + 1): \(caption.words[t])") })
    }

    /// For a terminal (.txt): the strip on top, then one block per word: the strip's strokes (a quarter of the
    /// brightness) under the word's attention scaled to its largest pixel (three quarters); a dark row between.
    func captionText(_ strip: [Double], _ caption: CaptionModel.Caption) throws -> Heatmap {
        let height = DigitStrips.cell, width = strip.count / height
        let image = (0..<height).map { r in (0..<width).map { strip[r * width + $0] / DigitImages.maximumValue } }
        var rows = image, labels = (0..<height).map { $0 == height / 2 ? "image" : "" }
        for (t, map) in caption.attention.enumerated() {
            let top = max(map.joined().max() ?? 1, 1e-12)
            rows.append([Double](repeating: 0, count: width)); labels.append("")
            for r in 0..<height {
                rows.append((0..<width).map { 0.25 * image[r][$0] + 0.75 * map[r][$0] / top })
                labels.append(r == height / 2 ? "\(t + 1): \(caption.words[t])" : "")
            }
        }
        let said = caption.words.isEmpty ? "(nothing)" : caption.words.joined(separator: " ")
        return try Heatmap(rows, rowLabels: labels, title: "caption: \(said) — the strip, then where each word looked", range: 0...1)
    }
}
