import AttentionSupport
import Foundation

/// An iterative radix-2 Cooley–Tukey FFT of a fixed power-of-two size, with its twiddles and bit-reversal table
/// computed once.
///
///     X[k] = Σ_{n<N} x[n] · e^(−2πi·kn/N)          k in 0..<N   (no scaling)
///
/// ``powerSpectrum(_:)`` takes a real frame of N samples and returns |X[k]|² for k in 0...N/2, the one-sided
/// spectrum (the other half mirrors it). Accumulates in Double.
public struct FFT: Sendable {
    /// N, the frame length (a power of two).
    public let size: Int
    let cosines: [Double], sines: [Double], reversed: [Int]

    /// Tables for frames of `size` samples; a size that is not a power of two ≥ 2 stops with a precondition.
    public init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "FFT: size \(size) is not a power of two ≥ 2")
        self.size = size
        cosines = (0..<(size / 2)).map { cos(-2 * Double.pi * Double($0) / Double(size)) }
        sines = (0..<(size / 2)).map { sin(-2 * Double.pi * Double($0) / Double(size)) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
    }

    /// The transform of (re, im) in place, both of `size` values.
    public func transform(_ re: inout [Double], _ im: inout [Double]) {
        precondition(re.count == size && im.count == size, "FFT: \(re.count) + \(im.count) values for size \(size)")
        for i in 0..<size where i < reversed[i] { re.swapAt(i, reversed[i]); im.swapAt(i, reversed[i]) }
        var half = 1
        while half < size {
            let stride = size / (2 * half)
            var start = 0
            while start < size {
                for j in 0..<half {
                    let wr = cosines[j * stride], wi = sines[j * stride]
                    let a = start + j, b = a + half
                    let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
                start += 2 * half
            }
            half *= 2
        }
    }

    /// |X[k]|² for k in 0...N/2 of a real frame of N samples.
    public func powerSpectrum(_ frame: [Double]) -> [Double] {
        var re = frame, im = [Double](repeating: 0, count: size)
        transform(&re, &im)
        return (0...(size / 2)).map { re[$0] * re[$0] + im[$0] * im[$0] }
    }
}
