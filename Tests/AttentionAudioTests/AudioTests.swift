import Foundation
import Testing
@testable import AttentionAudio

/// The fixtures of Scripts/make_audio_fixtures.py: WAV files in many formats and the NumPy / librosa references.
enum Fixtures {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    nonisolated(unsafe) static let reference: [String: Any] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("audio_reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()
    static func doubles(_ section: String, _ key: String) -> [Double] {
        ((reference[section] as! [String: Any])[key] as! [NSNumber]).map(\.doubleValue)
    }
}

func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct WAVReadingTests {
    static let cases = (Fixtures.reference["wav"] as! [[String: Any]]).map { $0["file"] as! String }

    /// Every format decodes to the channel mean of the values the script wrote (hand arithmetic in NumPy).
    @Test(arguments: cases) func decodesAsTheReference(_ file: String) throws {
        let c = (Fixtures.reference["wav"] as! [[String: Any]]).first { $0["file"] as! String == file }!
        let wav = try WAVFile(contentsOf: Fixtures.path(file))
        let expected = (c["mono"] as! [NSNumber]).map(\.doubleValue)
        #expect(wav.sampleRate == c["rate"] as! Int)
        #expect(wav.channels == c["channels"] as! Int)
        #expect(wav.bitsPerSample == c["bits"] as! Int)
        #expect(wav.isFloat == c["float"] as! Bool)
        #expect(wav.samples.count == expected.count)
        // Float32 holds the mean of integer samples to about 6e-8 of full scale.
        #expect(maxDifference(wav.samples.map(Double.init), expected) < 1e-7)
    }

    @Test func truncatedFileIsANamedError() {
        let path = Fixtures.path("truncated.wav")
        #expect(throws: WAVError.truncated(file: path, expected: 1808, found: 904)) { try WAVFile(contentsOf: path) }
    }

    @Test func nonWAVFileIsANamedError() {
        let path = Fixtures.path("not_a_wav.wav")
        #expect(throws: WAVError.notWAV(file: path, found: "49 44 33 03 00 00 00 20 74 68 69 73…")) { try WAVFile(contentsOf: path) }
        #expect(throws: WAVError.notWAV(file: "x", found: "an empty file")) { try WAVFile(bytes: [], source: "x") }
        #expect(throws: WAVError.notWAV(file: "x", found: "\"RIFFxxxxAVI \"…")) {
            try WAVFile(bytes: Array("RIFFxxxxAVI LIST".utf8), source: "x")
        }
    }

    @Test func unsupportedFormatIsANamedError() throws {
        let path = Fixtures.path("alaw.wav")
        do { _ = try WAVFile(contentsOf: path); Issue.record("A-law decoded") } catch {
            guard case let .unsupported(file, format, bits, _) = error else { Issue.record("\(error)"); return }
            #expect(file == path && format == 6 && bits == 8)
            #expect(error.description.contains("unsupported WAV sample format 6 with 8 bits"))
        }
    }

    @Test func missingFileIsANamedError() {
        do { _ = try WAVFile(contentsOf: "/nonexistent/x.wav"); Issue.record("read a missing file") } catch {
            guard case .unreadable(let file, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "/nonexistent/x.wav")
        }
    }

    /// Every prefix of a valid file, and every single-byte corruption of its header, is read or refused by name.
    @Test func everyPrefixAndHeaderCorruptionEndsInAResultOrAnError() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("extra_chunks_pcm16_16000.wav"))))
        var errors = 0
        for n in 0...bytes.count {
            do { _ = try WAVFile(bytes: Array(bytes[0..<n]), source: "p") } catch { errors += 1 }
        }
        #expect(errors > 0)
        for i in 0..<min(80, bytes.count) {
            for v: UInt8 in [0, 0x7F, 0xFF] {
                var b = bytes; b[i] = v
                if let w = try? WAVFile(bytes: b, source: "c") { #expect(w.sampleRate > 0 && w.channels > 0) }
            }
        }
    }

    @Test func pcm16RoundTrip() throws {
        let wav = WAVFile(sampleRate: 8000, samples: [0, 0.5, -0.5, 1, -1])
        let back = try WAVFile(bytes: wav.pcm16Bytes(), source: "round trip")
        #expect(back.sampleRate == 8000 && back.bitsPerSample == 16)
        #expect(maxDifference(back.samples.map(Double.init), [0, 16384 / 32768, -16384 / 32768, 32767 / 32768, -32767 / 32768]) == 0)
    }
}

@Suite struct SpectralTests {
    /// The windowed-sinc resampler against the same formula in Float64 NumPy (tight), and librosa's soxr_hq away
    /// from the edges (a different filter: loose).
    @Test func resamplingMatchesTheFormulaAndLibrosa() {
        let input = Fixtures.doubles("resample", "input").map(Float.init)
        let y = Resampler.resample(input, from: 22050, to: 16000).map(Double.init)
        let direct = Fixtures.doubles("resample", "direct")
        #expect(y.count == direct.count)
        #expect(maxDifference(y, direct) < 1e-6)
        let soxr = Fixtures.doubles("resample", "librosa_soxr_hq")
        let n = min(y.count, soxr.count)
        #expect(abs(y.count - soxr.count) <= 1)
        #expect(maxDifference(Array(y[64..<(n - 64)]), Array(soxr[64..<(n - 64)])) < 0.02)   // measured 0.0142 on a 0.7 peak
        let up = Resampler.resample(Array(input[0..<200]), from: 22050, to: 44100).map(Double.init)
        #expect(maxDifference(up, Fixtures.doubles("resample", "up_direct")) < 1e-6)
        #expect(Resampler.resample(input, from: 16000, to: 16000) == input)
    }

    @Test func fftPowerMatchesNumPy() {
        let frame = Fixtures.doubles("fft", "frame")
        let power = FFT(size: 512).powerSpectrum(frame)
        let expected = Fixtures.doubles("fft", "power")
        // The fixture holds 9 significant digits of the frame and of each power.
        #expect(maxDifference(power, expected) < 1e-8 * (expected.max() ?? 1))
    }

    @Test func filterbankMatchesLibrosaSlaney() {
        let f = LogMel.filterbank(sampleRate: 16000, fftSize: 512, mels: 40, low: 0, high: 8000)
        #expect(f.count == 40 && f[0].count == 257)
        #expect(maxDifference(f.flatMap { $0 }, Fixtures.doubles("filterbank", "values")) < 1e-8)
    }

    @Test func logMelMatchesLibrosa() {
        let input = Fixtures.doubles("logmel", "input").map(Float.init)
        let features = LogMel()(input)
        let shape = ((Fixtures.reference["logmel"] as! [String: Any])["shape"] as! [Int])
        #expect(features.count == shape[0] && features[0].count == shape[1])
        // ln: an absolute bound of 1e-4 is a relative 1e-4 on the mel power (Float32 input, Double arithmetic).
        #expect(maxDifference(features.flatMap { $0 }, Fixtures.doubles("logmel", "values")) < 1e-4)
    }

    @Test func nanPropagatesToTheFramesThatReadIt() {
        var x = [Float](repeating: 0.1, count: 1600)
        x[800] = .nan
        let f = LogMel()(x)
        #expect(f[5].allSatisfy { $0.isNaN })        // frame 5 is centred on sample 800
        #expect(f[0].allSatisfy { $0.isFinite })     // frame 0 reads samples −256…255
    }
}
