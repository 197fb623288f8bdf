import Foundation
import AttentionTensorCore

/// The QUBO that QAMA solves for one sequence, over all heads at once, and a seeded simulated annealer for it.
///
/// Variables: for head t, token i and bit k (q bits), x_tik ∈ {0, 1}. Each token's selection weight is the
/// binary number the bits spell, scaled to [0, 1] ("soft selection", 2^q levels):
///
///     w_ti = Σ_k 2^k x_tik / (2^q − 1)
///
/// Energy (lower is better):
///
///     E(x) = − a Σ_t Σ_ij J_tij w_ti w_tj  −  c Σ_t Σ_i h_ti w_ti  +  P / #pairs · Σ_(t<t') Σ_ik x_tik x_t'ik
///
/// a = `quadraticWeight` rewards selecting pairs of tokens with large J, c = `linearWeight` tokens with large h,
/// and the penalty P = `headOverlapPenalty` makes heads select different tokens (specialisation); #pairs is the
/// number of head pairs. QAMA's authors solve it on a coherent Ising machine or, for training, with classical
/// simulated annealing; this is the classical annealer, seeded, so a run is reproducible bit for bit.
public struct QAMAProblem: Sendable {
    /// The problem's size: `heads` heads (the rows of h), `tokens` tokens, `bits` bits q per token and head;
    /// the assignment has heads·tokens·bits variables.
    public let heads: Int, tokens: Int, bits: Int
    /// J [heads][tokens·tokens] row-major, h [heads][tokens].
    public let quadratic: [[Double]], linear: [[Double]]
    /// a, c and P of the energy above.
    public let quadraticWeight: Double, linearWeight: Double, headOverlapPenalty: Double

    /// A problem from J (`quadratic`, one row-major tokens×tokens block per head) and h (`linear`, one row of
    /// tokens per head). Preconditions: at least one head, matching sizes, `bits` in 1...16, finite J and h.
    public init(quadratic: [[Double]], linear: [[Double]], bits: Int, quadraticWeight: Double = 1, linearWeight: Double = 1,
                headOverlapPenalty: Double = 2) {
        precondition(!linear.isEmpty && linear.count == quadratic.count, "QAMAProblem: \(quadratic.count) J blocks for \(linear.count) h rows")
        let n = linear[0].count
        precondition(n > 0 && linear.allSatisfy { $0.count == n } && quadratic.allSatisfy { $0.count == n * n },
                     "QAMAProblem: every head needs h of \(n) tokens and J of \(n)×\(n)")
        precondition((1...16).contains(bits), "QAMAProblem: bits \(bits) must be in 1...16")
        precondition((quadratic.joined().allSatisfy(\.isFinite)) && linear.joined().allSatisfy(\.isFinite),
                     "QAMAProblem: coefficients must be finite")
        self.quadratic = quadratic; self.linear = linear
        heads = linear.count; tokens = n; self.bits = bits
        self.quadraticWeight = quadraticWeight; self.linearWeight = linearWeight; self.headOverlapPenalty = headOverlapPenalty
    }

    /// 2^q − 1: the weight of all bits set.
    var levels: Double { Double((1 << bits) - 1) }

    /// w_ti of an assignment x (flat index (t·tokens + i)·bits + k).
    public func weights(_ x: [Bool]) -> [[Double]] {
        (0..<heads).map { t in
            (0..<tokens).map { i in
                var v = 0
                for k in 0..<bits where x[(t * tokens + i) * bits + k] { v += 1 << k }
                return Double(v) / levels
            }
        }
    }

    /// E(x), evaluated directly from the definition.
    public func energy(_ x: [Bool]) -> Double {
        let w = weights(x)
        var e = 0.0
        for t in 0..<heads {
            for i in 0..<tokens {
                var row = 0.0
                for j in 0..<tokens { row += quadratic[t][i * tokens + j] * w[t][j] }
                e -= quadraticWeight * w[t][i] * row + linearWeight * linear[t][i] * w[t][i]
            }
        }
        if heads > 1 {
            var overlap = 0
            for t in 0..<heads { for u in (t + 1)..<heads {
                for r in 0..<(tokens * bits) where x[t * tokens * bits + r] && x[u * tokens * bits + r] { overlap += 1 }
            } }
            e += headOverlapPenalty / Double(heads * (heads - 1) / 2) * Double(overlap)
        }
        return e
    }
}

/// Geometric cooling: temperatures initial, initial·cooling, … down to `final`, `sweeps` full sweeps at each.
public struct AnnealingSchedule: Sendable, Equatable {
    /// The first temperature, the factor (in (0, 1)) applied after each round, the last temperature (the loop
    /// runs while T ≥ final), the full sweeps over all variables per temperature, and the random generator's seed.
    public var initialTemperature: Double, cooling: Double, finalTemperature: Double, sweeps: Int, seed: UInt64

    /// The defaults of QAMA's reference solver settings: 100 → 10⁻³ by ×0.99, 10 sweeps per temperature.
    public init(initialTemperature: Double = 100, cooling: Double = 0.99, finalTemperature: Double = 1e-3, sweeps: Int = 10,
                seed: UInt64 = 0) {
        precondition(initialTemperature > finalTemperature && finalTemperature > 0 && (0..<1).contains(cooling) && cooling > 0 && sweeps > 0,
                     "AnnealingSchedule: need initial > final > 0, 0 < cooling < 1, sweeps > 0")
        self.initialTemperature = initialTemperature; self.cooling = cooling; self.finalTemperature = finalTemperature
        self.sweeps = sweeps; self.seed = seed
    }
}

extension QAMAProblem {
    /// Minimises E by single-bit-flip Metropolis annealing and returns the best assignment seen and its energy.
    ///
    /// Each proposal's ΔE is O(1) from cached fields: for head t, g_ti = Σ_j (J_tij + J_tji) w_tj (the
    /// quadratic term's gradient in w_ti without the diagonal) and the count of other heads that set bit (i, k);
    /// an accepted flip updates g for the head's tokens in O(tokens). Deterministic for a given schedule seed.
    public func anneal(_ schedule: AnnealingSchedule = AnnealingSchedule()) -> (assignment: [Bool], energy: Double) {
        let n = tokens, q = bits, perHead = n * q, count = heads * perHead
        var x = [Bool](repeating: false, count: count)
        var w = [[Double]](repeating: [Double](repeating: 0, count: n), count: heads)
        var field = [[Double]](repeating: [Double](repeating: 0, count: n), count: heads)   // all w = 0 at the start
        var shared = [Int](repeating: 0, count: perHead)   // heads that set bit (i, k)
        let pairScale = heads > 1 ? headOverlapPenalty / Double(heads * (heads - 1) / 2) : 0
        var rng = RandomGenerator(seed: schedule.seed)
        var energy = 0.0, best = x, bestEnergy = 0.0
        var temperature = schedule.initialTemperature
        while temperature >= schedule.finalTemperature {
            for _ in 0..<schedule.sweeps {
                for v in 0..<count {
                    let t = v / perHead, r = v % perHead, i = r / q, k = r % q
                    let delta = (x[v] ? -1.0 : 1.0) * Double(1 << k) / levels
                    let jii = quadratic[t][i * n + i], wi = w[t][i]
                    let dQuadratic = field[t][i] * delta + jii * (2 * wi * delta + delta * delta)
                    let others = shared[r] - (x[v] ? 1 : 0)
                    let dE = -quadraticWeight * dQuadratic - linearWeight * linear[t][i] * delta
                        + pairScale * (x[v] ? -1.0 : 1.0) * Double(others)
                    if dE <= 0 || rng.uniform() < Foundation.exp(-dE / temperature) {
                        x[v].toggle()
                        shared[r] += x[v] ? 1 : -1
                        w[t][i] += delta
                        for j in 0..<n where j != i {
                            field[t][j] += (quadratic[t][j * n + i] + quadratic[t][i * n + j]) * delta
                        }
                        energy += dE
                        if energy < bestEnergy { bestEnergy = energy; best = x }
                    }
                }
            }
            temperature *= schedule.cooling
        }
        return (best, bestEnergy)
    }
}
