import Attention

// The encoder states of seed 001, one row per French word: keys and values [S = 3, E = 2].
let words = ["Bonjour", "le", "monde"]
let states = Tensor(shape: [3, 2], doubles: [1.0, 0.5,    // h1 "Bonjour"
                                             0.8, 1.2,    // h2 "le"
                                             0.2, 1.5])   // h3 "monde"
// The decoder state that is about to write "Hello": the query [L = 1, E = 2].
let query = Tensor(shape: [1, 2], doubles: [0.8, 0.3])
