import Foundation

/// Wall-clock timing of repeated runs.
public struct Timing: Sendable, Codable {
    /// Milliseconds of each timed run, in order.
    public let samplesMs: [Double]
    /// The median of the samples, milliseconds (the mean of the two middle ones for an even count).
    public var medianMs: Double {
        let s = samplesMs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    /// The fastest sample, milliseconds (0 without samples).
    public var minMs: Double { samplesMs.min() ?? 0 }

    /// Runs `body` `warmup` times untimed, then `iterations` times timed.
    public static func measure(iterations: Int, warmup: Int = 1, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return Timing(samplesMs: samples)
    }
}
