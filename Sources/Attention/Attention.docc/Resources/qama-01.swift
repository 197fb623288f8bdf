import Attention

// QAMA (arXiv 2504.11083) turns attention into an optimisation problem: choose, for each head and token, a
// selection weight w ∈ [0, 1] (here 2 bits: 0, ⅓, ⅔, 1) that minimises an energy — a QUBO. The couplings J_ij are
// how different token i's query distribution is from token j's key distribution (Jensen–Shannon), the fields h_i
// the entropy of token i's value; a penalty keeps two heads from selecting the same token.
// A tiny problem: 2 heads, 3 tokens, 2 bits each — 12 binary variables, 4096 assignments.
let problem = QAMAProblem(quadratic: [[0, 1.0, -0.5, 1.0, 0, 0.3, -0.5, 0.3, 0],
                                      [0, -0.8, 0.2, -0.8, 0, 0.6, 0.2, 0.6, 0]],
                          linear: [[1.0, -0.4, 0.7], [-0.3, 0.9, 0.5]], bits: 2)
// Simulated annealing (the authors trained with it, classically): seeded, so every run gives the same answer.
let (assignment, energy) = problem.anneal(AnnealingSchedule(seed: 1))
print("annealed energy", energy, "selection", problem.weights(assignment))
