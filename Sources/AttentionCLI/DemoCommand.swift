import ArgumentParser
import Attention
import Foundation

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

    func run() throws {
        let steps = [WorkedExample.dot(), WorkedExample.scaledDot(), WorkedExample.additive()]
        if json {
            print(try DemoReport(steps: steps).jsonString())
        } else {
            print(DemoText.render(steps))
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

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
