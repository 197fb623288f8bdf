import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct CaptionEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Exact match and localisation of a saved captioner on the fixed test strips (rows 1400–1796).")

    @OptionGroup var data: DataOption
    @Option(help: "A model written by `caption train --save`.") var load: String
    @Option(help: "Digits per strip of the headline figures (2, 3 or 4); every length is also reported under per_length.")
    var digits: Int = 3
    @Flag(help: "Print {\"strips\", \"exact_match\", \"localisation\", \"word_accuracy\", \"per_length\"} as JSON.") var json = false

    func validate() throws {
        guard DigitStrips.lengths.contains(digits) else { throw ValidationError("--digits must be 2, 3 or 4, got \(digits)") }
    }

    func run() throws {
        let model = try loadCaptioner(load)
        let images = try data.load()
        let lengths = DigitStrips.lengths.filter { $0 <= model.configuration.maxDigits }
        guard lengths.contains(digits) else {
            throw CLIError.data("--digits \(digits): this model reads strips of at most \(model.configuration.maxDigits) digits")
        }
        let all = lengths.map { (k: $0, e: model.evaluate(DigitStrips.testStrips(images, digits: $0))) }
        let main = all.first { $0.k == digits }!.e
        if json {
            try printJSON(.ordered([
                ("strips", .int(main.strips)), ("exact_match", .double(main.exactMatch)), ("localisation", .double(main.localisation)),
                ("digits", .int(digits)), ("word_accuracy", .double(main.wordAccuracy)),
                ("per_length", .array(all.map { .ordered([("digits", .int($0.k)), ("strips", .int($0.e.strips)),
                                                          ("exact_match", .double($0.e.exactMatch)),
                                                          ("localisation", .double($0.e.localisation)),
                                                          ("word_accuracy", .double($0.e.wordAccuracy))]) })),
            ]))
            return
        }
        for (k, e) in all {
            Output.line("\(k)-digit test strips: \(e.strips) strips, exact match \(String(format: "%.4f", e.exactMatch)), "
                        + "localisation \(String(format: "%.4f", e.localisation)), word accuracy \(String(format: "%.4f", e.wordAccuracy))")
        }
    }
}
