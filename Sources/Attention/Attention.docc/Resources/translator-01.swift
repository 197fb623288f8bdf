import Attention
import AttentionModels

// The project's grammar corpus: French → English pairs with agreement, negation and the noun–adjective order
// flip ("la voiture bleue" → "the blue car"). Its held-out pairs combine a noun and an adjective that never
// meet in training, so translating them takes generalisation, not memory.
let corpus = GrammarCorpus.generate(seed: 1)
print("\(corpus.train.count) training pairs, \(corpus.test.count) held-out pairs")
for example in corpus.test.prefix(3) { print("  \(example.french)  →  \(example.english)") }
