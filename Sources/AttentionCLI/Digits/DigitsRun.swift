import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct DigitsRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Classify images and show where the model looked.")

    @Option(help: "A model written by `digits train --save`.") var load: String
    @Option(help: "Rows of 64 comma-separated values 0–16 (a 65th column, a label, is ignored); '-' reads standard input.")
    var csv: String
    @Option(help: "Draw each image with its attention rollout over it: .png, .svg, .html, or .txt for the numbers (several images: FILE-1.png, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print {\"results\": [{\"label\", \"probabilities\", \"cls_attention\" [layer][head][patch], \"rollout\" [8][8]}]} as JSON.") var json = false

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        if csv != "-" { try InputPaths.checkFile(csv, option: "--csv") }   // a missing input is named before the model loads
        let model: VisionTransformer
        model = try loadVision(load)
        let c = model.configuration
        let images: DigitImages
        images = try readImages(csv, option: "--csv", height: c.imageHeight, width: c.imageWidth, requireLabels: false)
        let results = model.classify(images.pixels)
        if json {
            try printJSON(.ordered([("results", .array(results.map { r in
                .ordered([("label", .int(r.label)), ("probabilities", .doubles(r.probabilities)),
                          ("cls_attention", .array(r.classAttention.map { .array($0.map(JSONValue.doubles)) })),
                          ("rollout", .array(r.rollout.map(JSONValue.doubles)))])
            }))]))
        } else {
            for (k, r) in results.enumerated() {
                let known = images.labels[k].map { " (file says \($0))" } ?? ""
                Output.line("image \(k + 1): \(r.label)  p = \(String(format: "%.3f", r.probabilities[r.label]))\(known)")
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                // The digit with its attention rollout over it, beside the plain digit for reference.
                let image = (0..<c.imageHeight).map { row in
                    (0..<c.imageWidth).map { images.pixels[k][row * c.imageWidth + $0] / DigitImages.maximumValue }
                }
                let none = image.map { $0.map { _ in 0.0 } }
                do {
                    if path.lowercased().hasSuffix(".txt") {
                        try Heatmap(r.rollout, title: "digit \(r.label): attention rollout over the pixels").write(to: URL(fileURLWithPath: path))
                    } else {
                        try AttentionOverlay(title: "digit \(r.label) (p = \(String(format: "%.2f", r.probabilities[r.label])))",
                                             panels: [.init(image: image, attention: none, caption: "image"),
                                                      .init(image: image, attention: r.rollout, caption: "attention rollout")])
                            .write(to: URL(fileURLWithPath: path), scale: scale.scale)
                    }
                } catch { throw heatmapWriteError(error) }
                Console.note("wrote \(path)")
            }
        }
    }
}
