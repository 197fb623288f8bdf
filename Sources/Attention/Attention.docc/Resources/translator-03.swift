import Attention
import Foundation
import AttentionModels
import AttentionVisualization

// The project's grammar corpus: French → English pairs with agreement, negation and the noun–adjective order
// flip ("la voiture bleue" → "the blue car"). Its held-out pairs combine a noun and an adjective that never
// meet in training, so translating them takes generalisation, not memory.
let corpus = GrammarCorpus.generate(seed: 1)
print("\(corpus.train.count) training pairs, \(corpus.test.count) held-out pairs")
for example in corpus.test.prefix(3) { print("  \(example.french)  →  \(example.english)") }

// Bahdanau's translator: a bidirectional GRU reads the French, and a GRU decoder writes the English one word at
// a time, each step attending over the encoder states with the additive score vᵀ tanh(W·s + U·h). 800 steps of
// 32 pairs here (a minute or two); `attention translate train` runs 2000 by default.
var options = TranslationTrainingOptions()
options.architecture = .bahdanau
options.steps = 800
let model = try TranslationTraining.train(on: corpus.train.map { TranslationPair(source: $0.french, target: $0.english) },
                                          options: options)
let heldOut = corpus.test.map { TranslationPair(source: $0.french, target: $0.english) }
let evaluation = TranslationEvaluation.evaluate(model, pairs: heldOut)
print("held-out exact match \(evaluation.exactMatch), BLEU \((evaluation.bleu * 10).rounded() / 10)")

// The alignment: one row per English word written, one column per French word read. Where the order flips, the
// rows cross: "blue" looks at "bleue" (after the noun), "car" at "voiture" (before it).
let result = model.translation(of: "la voiture bleue ne regarde pas les chats noirs .")
print(result.words.joined(separator: " "))
let picture = try Heatmap(result.alignment, rowLabels: result.rowLabels, columnLabels: result.sourceWords,
                          title: "Bahdanau alignment", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "alignment.svg"))
// Over every crossing of the held-out pairs: does the adjective's row peak on the adjective and the noun's on the noun?
let probes = TranslationEvaluation.alignmentAccuracy(model, examples: corpus.test)
print("crossings aligned: \(probes.accuracy) of \(probes.probes) probes")
