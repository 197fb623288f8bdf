import Attention
import AttentionModels

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
