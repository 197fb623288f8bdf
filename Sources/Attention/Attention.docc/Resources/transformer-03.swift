import Attention
import AttentionModels

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
