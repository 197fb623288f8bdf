import Attention
import AttentionModels

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
