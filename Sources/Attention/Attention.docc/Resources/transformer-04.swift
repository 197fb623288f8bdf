import Attention
import Foundation
import AttentionModels
import AttentionTransformers
import AttentionVisualization

// The other half of the Transformer, alone: a decoder-only stack with a causal mask (position i sees only
// characters 0…i), trained to predict the next character. The corpus is the project's built-in addition corpus,
// lines "a+b=c" for two-digit a and b: the digits after "=" can only come out right if attention looks back at
// the operands. 3 % of the sums are held out and never seen in training.
let corpus = AdditionCorpus(seed: 1)
var options = CharacterLanguageModel.TrainingOptions()
options.steps = 1500
options.context = 16          // a line is at most 9 characters and its newline
options.modelDim = 64
options.numHeads = 2
options.numLayers = 2
options.feedForwardDim = 128
options.validationEvery = 500
let (lm, _) = try CharacterLanguageModel.train(on: corpus.trainingText, source: AdditionCorpus.name, options: options)
let (bits, characters) = try lm.bitsPerCharacter(corpus.heldOutText, source: "held-out sums")
print("held-out sums: \((bits * 100).rounded() / 100) bits per character over \(characters) characters")
print("held-out sums completed exactly: \(try lm.completionAccuracy(corpus.heldOut))")

// Self-attention, per head: run the model's blocks by hand on one held-out line and keep each block's weights,
// [B = 1, H = 2, L, L]. The line: the first held-out sum with a carry that the model completes correctly.
// The causal mask leaves the upper triangle empty; the rows of "=" and of the answer's digits (each row predicts
// the next character) show where the model looks to compute them.
let sum = try corpus.heldOut.first { p in
    guard p.a % 10 + p.b % 10 >= 10 else { return false }
    return try lm.complete(p.prompt, maxTokens: 4, stopAtNewline: true) == p.answer + "\n"
}!
let line = sum.line
let ids = try lm.vocabulary.encode(line, source: "line")
let model = lm.model
var x = model.tokenEmbedding(ids, shape: [1, ids.count])
    + model.positionEmbedding(Array(0..<ids.count), shape: [1, ids.count])          // [1, L, D]
var rows: [[Double]] = [], labels: [String] = []
let symbols = line.map { String($0) }
for (l, layer) in model.layers.enumerated() {
    let (output, weights) = layer(x, mask: TransformerMasks.causal, weights: .perHead)
    x = output
    let w = weights!.doubles, n = ids.count                                          // [1, H, L, L]
    for h in 0..<options.numHeads {
        for i in 0..<n {
            rows.append(Array(w[((h * n) + i) * n ..< ((h * n) + i + 1) * n]))
            labels.append("L\(l) H\(h) \(symbols[i])")
        }
    }
}
let picture = try Heatmap(rows, rowLabels: labels, columnLabels: symbols,
                          title: "Causal self-attention on \(line)", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "lm-heads.png"), cellSize: 16)
print("drew", line)
