import ArgumentParser
import Attention
import Foundation
import AttentionVisualization

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The worked example of the tutorial (seed 001), step by step: scores, weights, context.",
        discussion: """
            Encoder states h1 = [1.0, 0.5] "Bonjour", h2 = [0.8, 1.2] "le", h3 = [0.2, 1.5] "monde" are the keys and values;
            the decoder state s0 = [0.8, 0.3] is the query. The same step is then repeated with the scaled-dot and
            additive (Bahdanau) scorers.
            """
    )

    @Flag(help: "Print one JSON object instead of the tables.")
    var json = false

    @Option(help: "Also write the weights of the three scorers as a heatmap: .png, .svg, .html or .txt.")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        let steps = [WorkedExample.dot(), WorkedExample.scaledDot(), WorkedExample.additive()]
        if json {
            Output.line(try DemoReport(steps: steps).jsonString())
        } else {
            Output.line(DemoText.render(steps))
        }
        if let heatmap {
            // One row per scorer, one column per French word: where s0 looks under each scoring function.
            let map: Heatmap
            do {
                map = try Heatmap(steps.map(\.weights), rowLabels: steps.map(\.scorer), columnLabels: WorkedExample.words,
                                  title: "Seed 001: attention of s0 over the encoder states", range: 0...1)
            } catch { throw CLIError.data("\(error)") }
            do { try map.write(to: URL(fileURLWithPath: heatmap), scale: scale.scale) } catch { throw heatmapWriteError(error) }
            Console.note("wrote \(heatmap)")
        }
    }
}

/// The machine-readable form of the demo.
struct DemoReport: Encodable {
    let words = WorkedExample.words
    let encoder_states = WorkedExample.encoderStates
    let decoder_state = WorkedExample.decoderState
    let steps: [WorkedExample.Step]
    let article_weights = WorkedExample.articleWeights
    let article_context = WorkedExample.articleContext
    let note = DemoText.roundingNote

    func jsonString() throws -> String { try sortedJSON(self) }
}
