import AttentionSupport
import Foundation

/// Log-mel features of 16 kHz audio, computed as librosa computes `melspectrogram` with its defaults for the
/// filterbank (Slaney's mel scale, `htk=False`, and Slaney area normalisation, `norm="slaney"`):
///
///     padded = [0]·(n_fft/2) ++ x ++ [0]·(n_fft/2)               centred frames (librosa `center=True`, zero pad)
///     frame t = padded[t·hop ..< t·hop + n_fft] · w              t in 0..<1 + ⌊len(x) / hop⌋
///     w = the periodic Hann window of `window` samples, centred in n_fft (zeros either side)
///     P[t][k] = |FFT(frame t)[k]|²                               k in 0...n_fft/2
///     M[t][j] = Σ_k F[j][k] · P[t][k]                            F: `mels` triangular filters, fmin…fmax
///     logmel[t][j] = ln(M[t][j] + floor)
///
/// Slaney's scale is linear below 1 kHz (mel = 3f/200) and logarithmic above (mel = 15 + 27·ln(f/1000)/ln 6.4);
/// filter j rises from mel point j to j+1 and falls to j+2, scaled by 2 / (f_{j+2} − f_j).
/// Defaults: n_fft 512, a 400-sample (25 ms) window, hop 160 (10 ms), 40 mels over 0…8 kHz, floor 1e-6.
public struct LogMel: Sendable {
    /// The features' parameters (saved in speech checkpoints); the defaults are in the type's description.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Samples per second the input must have.
        public var sampleRate = 16_000
        /// n_fft, the FFT frame (a power of two).
        public var fftSize = 512
        /// The Hann window's length in samples (at most n_fft).
        public var window = 400
        /// Samples between frames.
        public var hop = 160
        /// The number of mel filters (features per frame).
        public var mels = 40
        /// fmin, the lowest filter's lower edge, in Hz.
        public var minimumFrequency = 0.0
        /// fmax, the highest filter's upper edge, in Hz (at most half the sample rate).
        public var maximumFrequency = 8_000.0
        /// Added before the logarithm, so silence gives ln(floor), never −∞.
        public var floor = 1e-6
        /// 16 kHz, n_fft 512, 25 ms windows every 10 ms, 40 mels over 0…8 kHz.
        public init() {}
    }

    /// The parameters the filters and window were built from.
    public let configuration: Configuration
    /// [mels][n_fft/2 + 1].
    public let filters: [[Double]]
    /// n_fft values: the Hann window centred in the FFT frame.
    public let frameWindow: [Double]
    let fft: FFT

    /// Builds the filters and the window for `c`; parameters that cannot work stop with a precondition naming them.
    public init(_ c: Configuration = Configuration()) {
        precondition(c.fftSize >= 2 && c.fftSize & (c.fftSize - 1) == 0 && (1...c.fftSize).contains(c.window) && c.hop >= 1 && c.mels >= 1
                     && c.minimumFrequency >= 0 && c.maximumFrequency > c.minimumFrequency && c.floor > 0,
                     "LogMel: bad configuration \(c)")
        configuration = c
        fft = FFT(size: c.fftSize)
        filters = Self.filterbank(sampleRate: c.sampleRate, fftSize: c.fftSize, mels: c.mels,
                                  low: c.minimumFrequency, high: c.maximumFrequency)
        let offset = (c.fftSize - c.window) / 2
        frameWindow = (0..<c.fftSize).map { i in
            let n = i - offset
            return (0..<c.window).contains(n) ? 0.5 - 0.5 * cos(2 * Double.pi * Double(n) / Double(c.window)) : 0
        }
    }

    /// Slaney mel of a frequency in Hz.
    public static func mel(_ f: Double) -> Double {
        f < 1000 ? 3 * f / 200 : 15 + 27 * log(f / 1000) / log(6.4)
    }

    /// The frequency in Hz of a Slaney mel.
    public static func hertz(_ m: Double) -> Double {
        m < 15 ? 200 * m / 3 : 1000 * exp((m - 15) * log(6.4) / 27)
    }

    /// Slaney-normalised triangular filters [mels][n_fft/2 + 1] (librosa `filters.mel`, `htk=False, norm="slaney"`).
    public static func filterbank(sampleRate: Int, fftSize: Int, mels: Int, low: Double, high: Double) -> [[Double]] {
        let bins = fftSize / 2 + 1
        let frequencies = (0..<bins).map { Double($0) * Double(sampleRate) / Double(fftSize) }
        let lo = mel(low), hi = mel(high)
        let points = (0..<(mels + 2)).map { hertz(lo + (hi - lo) * Double($0) / Double(mels + 1)) }
        return (0..<mels).map { j in
            let left = points[j], centre = points[j + 1], right = points[j + 2], area = 2 / (right - left)
            return frequencies.map { f in
                max(0, min((f - left) / (centre - left), (right - f) / (right - centre))) * area
            }
        }
    }

    /// Frames of `samples`: 1 + ⌊count / hop⌋.
    public func frameCount(samples count: Int) -> Int { 1 + count / configuration.hop }

    /// The power mel spectrogram [frames][mels] (before the log).
    public func melPower(_ x: [Float]) -> [[Double]] {
        let c = configuration, half = c.fftSize / 2
        return (0..<frameCount(samples: x.count)).map { t in
            let start = t * c.hop - half
            let frame = (0..<c.fftSize).map { i -> Double in
                let n = start + i
                return n >= 0 && n < x.count ? Double(x[n]) * frameWindow[i] : 0
            }
            let power = fft.powerSpectrum(frame)
            return filters.map { f in
                var s = 0.0
                for k in 0..<power.count where f[k] != 0 { s += f[k] * power[k] }
                return s
            }
        }
    }

    /// ln(mel power + floor) [frames][mels]. A NaN sample makes NaN in every frame that reads it.
    public func callAsFunction(_ x: [Float]) -> [[Double]] {
        melPower(x).map { $0.map { log($0 + configuration.floor) } }
    }

    /// Decodes nothing: the features of a WAV file resampled to the configured rate.
    public func features(of audio: WAVFile) -> [[Double]] {
        self(Resampler.resample(audio.samples, from: audio.sampleRate, to: configuration.sampleRate))
    }
}
