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
print("annealed energy", (energy * 1e6).rounded() / 1e6, "selection", problem.weights(assignment))

// The problem is small enough to try every assignment: the annealer found the true minimum.
let variables = assignment.count
var best = Double.infinity
for code in 0..<(1 << variables) {
    best = min(best, problem.energy((0..<variables).map { code >> $0 & 1 == 1 }))
}
// (The two sums add the same terms in different orders, so they may differ in the last bits.)
print("exhaustive minimum", best, abs(energy - best) < 1e-9 ? "(the annealer found it)" : "(the annealer missed it)")
