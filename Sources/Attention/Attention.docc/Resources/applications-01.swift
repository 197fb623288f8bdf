import Attention
import Foundation
import AttentionModels
import AttentionText
import AttentionVisualization

// Sentiment: a GRU reads a review and attention pooling weighs its states into one vector for the classifier.
// The project's sentiment corpus generates reviews whose label turns on one adjective (and a negation, or the
// clause after "but"); held-out reviews use openers, verbs and endings never seen in training.
let corpus = SentimentCorpus.generate(seed: 1, trainCount: 2000, testCount: 400)
var options = AttentionClassifier.TrainingOptions()
options.steps = 600
let model = try AttentionClassifier.train(on: corpus.train.map { LabelledText(label: $0.label, text: $0.text) },
                                          options: options)
let evaluation = model.evaluate(corpus.test.map { LabelledText(label: $0.label, text: $0.text) })
print("held-out accuracy \(evaluation.accuracy)")
// The focus: the share of attention on the deciding words, averaged over the held-out reviews.
print("attention on the deciding words: \((model.keyWordAttention(corpus.test) * 100).rounded() / 100)")

// Where the pooling looked before deciding: one review, its attention over its words. The contrast decides it:
// the clause after "but" carries the verdict, and so should the weight.
let review = "a dull story but the acting was wonderful"
let result = model.classify([review])[0]
print(result.label, "←", zip(result.tokens, result.attention).map { "\($0) \(String(format: "%.2f", $1))" }.joined(separator: "  "))
let picture = try Heatmap([result.attention], rowLabels: [result.label], columnLabels: result.tokens,
                          title: "Sentiment focus", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "sentiment-focus.png"), cellSize: 32)
