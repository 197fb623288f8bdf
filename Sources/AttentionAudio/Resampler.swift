import AttentionSupport
import Foundation

/// Band-limited resampling by a Hann-windowed sinc, evaluated at every output instant.
///
///     ratio ρ = to / from;  cutoff f_c = ½ · min(1, ρ) · rolloff          (cycles per input sample)
///     h(τ) = 2 f_c · sinc(2 f_c τ) · ½ (1 + cos(π τ / W)),  |τ| < W,  W = zeros / (2 f_c)  (input samples)
///     y[m] = Σ_n x[n] · h(m / ρ − n)        m in 0..<⌊N·ρ⌋,  x[n] = 0 outside 0..<N
///
/// The window spans `zeros` zero crossings of the sinc on each side (default 16) and the cutoff sits at `rolloff`
/// (default 0.94) of the lower Nyquist, so a tone well inside the new band passes within about 1e-3 and the band
/// above the new Nyquist is attenuated (the Hann-windowed sinc's side lobes stay below about −40 dB). Equal rates
/// return the input unchanged.
///
/// With the rates reduced to L/M (L = to/gcd), output m sits at phase (m·M mod L)/L between two inputs; when L is at
/// most 4096 the filter is tabulated once per phase (22,050 → 16,000 Hz has 320 phases), otherwise evaluated
/// directly. Both give the formula above, accumulated in Double. Cost: N·ρ·2W multiply–adds.
public enum Resampler {
    /// `x` sampled at `from` Hz, resampled to `to` Hz with a Hann-windowed sinc of `zeros` zero crossings each side and
    /// its cut-off at `rolloff` × the lower Nyquist frequency (the formula above). Rates and options must be positive.
    public static func resample(_ x: [Float], from: Int, to: Int, zeros: Int = 16, rolloff: Double = 0.94) -> [Float] {
        precondition(from > 0 && to > 0 && zeros > 0 && rolloff > 0 && rolloff <= 1,
                     "Resampler: rates \(from) → \(to), zeros \(zeros), rolloff \(rolloff)")
        if from == to || x.isEmpty { return x }
        let rho = Double(to) / Double(from), cutoff = 0.5 * min(1, rho) * rolloff
        let halfWidth = Double(zeros) / (2 * cutoff)
        func h(_ tau: Double) -> Double {
            guard abs(tau) < halfWidth else { return 0 }
            let arg = 2 * cutoff * tau
            let sinc = arg == 0 ? 1 : sin(Double.pi * arg) / (Double.pi * arg)
            return 2 * cutoff * sinc * 0.5 * (1 + cos(Double.pi * tau / halfWidth))
        }
        let g = gcd(from, to), l = to / g, mStep = from / g
        let count = Int((Double(x.count) * rho).rounded(.down))
        let k = Int(halfWidth.rounded(.up)) + 1, taps = 2 * k   // j in −(k−1)...k covers |τ| < W
        var y = [Float](repeating: 0, count: count)
        let table: [Double]? = l <= 4096 ? (0..<l).flatMap { p in
            (0..<taps).map { i in h(Double(p) / Double(l) - Double(i - (k - 1))) } } : nil
        x.withUnsafeBufferPointer { xs in
            for m in 0..<count {
                let (n0, phase) = (m * mStep).quotientAndRemainder(dividingBy: l)
                let frac = Double(phase) / Double(l)
                var sum = 0.0
                for i in 0..<taps {
                    let n = n0 + i - (k - 1)
                    guard n >= 0 && n < xs.count else { continue }
                    sum += Double(xs[n]) * (table.map { $0[phase * taps + i] } ?? h(frac - Double(i - (k - 1))))
                }
                y[m] = Float(sum)
            }
        }
        return y
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
