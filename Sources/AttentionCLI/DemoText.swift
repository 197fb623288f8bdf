import Attention
import Foundation

/// The human-readable demo: aligned tables, numbers rounded for reading (full precision is in `--json`).
enum DemoText {
    static let roundingNote = """
        The article prints the context as [0.716, 1.026]: it multiplies the weights rounded to [0.36, 0.38, 0.26]. \
        With the unrounded weights the context is [0.7178, 1.0239].
        """

    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    static func vector(_ v: [Double], _ digits: Int) -> String { "[" + v.map { f($0, digits) }.joined(separator: ", ") + "]" }
    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    static func render(_ steps: [WorkedExample.Step]) -> String {
        let words = WorkedExample.words, h = WorkedExample.encoderStates, s0 = WorkedExample.decoderState
        var out: [String] = []
        out.append("Attention, step by step: the worked example of seed 001")
        out.append("")
        out.append("Encoder states (keys and values)      Decoder state (query)")
        for i in 0..<3 {
            let left = "  h\(i + 1)  \(pad("\"\(words[i])\"", 10)) \(vector(h[i], 1))"
            out.append(pad(left, 38) + (i == 0 ? "s0  \(vector(s0, 1))" : ""))
        }
        let dot = steps[0]
        out.append("")
        out.append("Step 1  scores        e_i = s0 · h_i")
        for i in 0..<3 {
            let terms = "\(f(s0[0], 1))×\(f(h[i][0], 1)) + \(f(s0[1], 1))×\(f(h[i][1], 1))"
            out.append("  \(pad(words[i], 9)) \(pad(terms, 20)) = \(f(dot.scores[i], 2))")
        }
        out.append("")
        out.append("Step 2  weights       α = softmax(e)")
        for i in 0..<3 {
            let bar = String(repeating: "█", count: Int((dot.weights[i] * 40).rounded()))
            out.append("  \(pad(words[i], 9)) \(f(dot.weights[i], 4))  \(bar)")
        }
        out.append("  sum       \(f(dot.weights.reduce(0, +), 4))")
        out.append("")
        out.append("Step 3  context       c = Σ α_i h_i = \(vector(dot.context, 4))")
        out.append("")
        out.append("Note: " + roundingNote)
        out.append("")
        out.append("The same step with other scoring functions")
        out.append("  \(pad("scorer", 11)) \(pad("scores", 26)) \(pad("weights", 26)) context")
        for s in steps {
            out.append("  \(pad(s.scorer, 11)) \(pad(vector(s.scores, 4), 26)) \(pad(vector(s.weights, 4), 26)) \(vector(s.context, 4))")
        }
        for s in steps.dropFirst() { out.append("  \(s.scorer): \(s.formula)") }
        return out.joined(separator: "\n")
    }
}
