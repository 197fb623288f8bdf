import Attention
import Foundation
import AttentionModels
import AttentionVisualization

// The same grammar corpus as Bahdanau's translator, now for the Transformer of seed 002: no recurrence at all.
// The encoder is a stack of self-attention + feed-forward blocks over the French words (with positions added,
// since attention alone cannot see order); the decoder is the same with a causal mask, plus cross-attention,
// where each English position asks the encoder's states what to say next.
let corpus = GrammarCorpus.generate(seed: 1)
let pairs = corpus.train.map { TranslationPair(source: $0.french, target: $0.english) }
let heldOut = corpus.test.map { TranslationPair(source: $0.french, target: $0.english) }

// A small Transformer: width 32, 2 heads, 2 layers in each stack, 2,000 steps of 32 pairs (the CLI's default
// schedule; half a minute here). `attention translate train --architecture transformer` trains the same way with
// width 64 and 4 heads.
var options = TranslationTrainingOptions()
options.architecture = .transformer
options.steps = 2000
options.transformer.modelDim = 32
options.transformer.heads = 2
options.transformer.feedForward = 64
let model = try TranslationTraining.train(on: pairs, options: options)
let evaluation = TranslationEvaluation.evaluate(model, pairs: heldOut)
print("held-out exact match \(evaluation.exactMatch), BLEU \((evaluation.bleu * 10).rounded() / 10)")

// Cross-attention, per head: for each English word written (rows), each head's weights over the French words
// (columns). The decoder has 2 layers of 2 heads; draw every one, a block of rows per layer and head.
let sentence = "la voiture bleue ne regarde pas les chats noirs ."
let result = model.translation(of: sentence)
print(result.words.joined(separator: " "))
var rows: [[Double]] = [], labels: [String] = []
for (layer, heads) in result.crossAttention!.enumerated() {
    for (head, weights) in heads.enumerated() {
        for (word, row) in zip(result.rowLabels, weights) {
            rows.append(row)
            labels.append("L\(layer) H\(head) \(word)")
        }
    }
}
let picture = try Heatmap(rows, rowLabels: labels, columnLabels: result.sourceWords,
                          title: "Cross-attention, every layer and head", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "transformer-heads.png"), cellSize: 16)
// Where does each head of the last layer put its weight for "blue"? A head that peaks on "bleue" found the
// crossing, as Bahdanau's single distribution did; the other heads are free to look elsewhere.
if let blue = result.rowLabels.firstIndex(of: "blue") {
    for (head, weights) in result.crossAttention!.last!.enumerated() {
        let peak = weights[blue].indices.max { weights[blue][$0] < weights[blue][$1] }!
        print("last layer, head \(head): \"blue\" peaks on \"\(result.sourceWords[peak])\"")
    }
}
