import Attention

// The same query and keys as the weighted-average tutorial: s0 [L = 1, E = 2], h1…h3 [S = 3, E = 2].
let keys = Tensor(shape: [3, 2], doubles: [1.0, 0.5, 0.8, 1.2, 0.2, 1.5])
let query = Tensor(shape: [1, 2], doubles: [0.8, 0.3])

// Six ways to score a query against a key. The learnable ones get fixed, illustrative weights here;
// a model learns them (they are Modules).
let identity = Tensor(shape: [2, 2], doubles: [1, 0, 0, 1])
let scorers: [(String, any AttentionScoring)] = [
    ("dot  q·k", DotScore()),
    ("scaled dot  q·k/sqrt(E)", ScaledDotScore()),
    ("bilinear  q·Wk", BilinearScore(weight: Tensor(shape: [2, 2], doubles: [2, 0, 0, 0.5]))),
    ("additive  v·tanh(Wq+Uk)", AdditiveScore(queryWeight: identity, keyWeight: identity, vector: Tensor(shape: [2], doubles: [1, 1]))),
    ("cosine  q·k/(|q||k|)", CosineScore()),
    ("MLP  w2·ReLU(W1[q;k]+b1)+b2", MLPScore(hiddenWeight: Tensor(shape: [2, 4], doubles: [1, 0, 1, 0, 0, 1, 0, 1]),
                                            hiddenBias: Tensor(shape: [2], doubles: [0, -0.5]),
                                            outputWeight: Tensor(shape: [1, 2], doubles: [1, 1]),
                                            outputBias: Tensor(shape: [1], doubles: [0]), queryDim: 2)),
]
