import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct DigitsEval: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Accuracy of a saved model on the test split (rows 1400–1796).")

    @OptionGroup var data: DataOption
    @Option(help: "A model written by `digits train --save`.") var load: String
    @Flag(help: "Print {\"test_images\", \"accuracy\"} as JSON.") var json = false

    func run() throws {
        let model: VisionTransformer
        model = try loadVision(load)
        let test = try data.load().standardSplit().test
        let accuracy = model.accuracy(on: test)
        if json { try printJSON(.ordered([("test_images", .int(test.count)), ("accuracy", .double(accuracy))])); return }
        Output.line("\(test.count) test images, accuracy \(String(format: "%.4f", accuracy))")
    }
}
