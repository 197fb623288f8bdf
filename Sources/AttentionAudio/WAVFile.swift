import Foundation

/// A decoded WAV file: its samples mixed down to one channel, in [-1, 1], at the file's own rate.
///
///     mono[i] = (1/C) · Σ_c sample[i][c]          C = channels, each sample scaled to [-1, 1):
///     8-bit  (unsigned): (v − 128) / 128          16-, 24-, 32-bit (signed little-endian): v / 2^(bits−1)
///     32-/64-bit float: v as stored (NaN and out-of-range values pass through untouched)
///
/// ```swift
/// let audio = try WAVFile(contentsOf: "digits.wav")
/// let at16k = Resampler.resample(audio.samples, from: audio.sampleRate, to: 16_000)
/// ```
public struct WAVFile: Sendable, Equatable {
    /// Frames per second as the file says.
    public let sampleRate: Int
    /// Channels in the file (the samples are their average).
    public let channels: Int
    /// Bits per stored sample (8, 16, 24, 32 or 64).
    public let bitsPerSample: Int
    /// True for IEEE float samples, false for integer PCM.
    public let isFloat: Bool
    /// The mono samples, one per frame.
    public let samples: [Float]

    /// Seconds of audio: samples / sample rate.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// A clip from its mono samples and the format to write it in (32-bit float by default).
    public init(sampleRate: Int, channels: Int = 1, bitsPerSample: Int = 32, isFloat: Bool = true, samples: [Float]) {
        self.sampleRate = sampleRate; self.channels = channels; self.bitsPerSample = bitsPerSample
        self.isFloat = isFloat; self.samples = samples
    }

    /// Reads and decodes the file at `path`.
    public init(contentsOf path: String) throws(WAVError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(bytes: [UInt8](data), source: path)
    }

    /// Decodes a whole WAV file held in memory; `source` names it in errors.
    ///
    /// The RIFF chunks are walked one by one (each padded to an even size, as RIFF requires); chunks other than
    /// `fmt ` and `data` are skipped. A `data` chunk that claims more bytes than the file holds is read to the
    /// end of the file only when its size is the streaming placeholder 0xFFFFFFFF or 0 (what a writer on a pipe
    /// leaves); any other shortfall is ``WAVError/truncated(file:expected:found:)``.
    public init(bytes: [UInt8], source: String) throws(WAVError) {
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        guard bytes.count >= 12 else {
            if bytes.count >= 4, Array(bytes[0..<4]) == Array("RIFF".utf8) {
                throw .truncated(file: source, expected: 12, found: bytes.count)
            }
            throw .notWAV(file: source, found: Self.describe(bytes))
        }
        guard Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WAVE".utf8) else {
            throw .notWAV(file: source, found: Self.describe(bytes))
        }
        var format: (tag: Int, channels: Int, rate: Int, align: Int, bits: Int)?
        var payload: Range<Int>?
        var at = 12
        while at + 8 <= bytes.count, payload == nil {
            let id = String(decoding: bytes[at..<(at + 4)], as: UTF8.self), size = u32(at + 4), body = at + 8
            if id == "data" {
                guard format != nil else { throw .malformed(file: source, reason: "the data chunk comes before any fmt chunk") }
                let available = bytes.count - body
                if size <= available { payload = body..<(body + size) } else if size == 0xFFFF_FFFF || size == 0 {
                    payload = body..<bytes.count
                } else { throw .truncated(file: source, expected: body + size, found: bytes.count) }
                break
            }
            guard size <= bytes.count - body else { throw .truncated(file: source, expected: body + size, found: bytes.count) }
            if id == "fmt " {
                guard size >= 16 else { throw .malformed(file: source, reason: "a fmt chunk of \(size) bytes, expected at least 16") }
                var tag = u16(body)
                // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
                if tag == 0xFFFE {
                    guard size >= 40 else { throw .malformed(file: source, reason: "an extensible fmt chunk of \(size) bytes, expected 40") }
                    tag = u16(body + 24)
                }
                format = (tag, u16(body + 2), u32(body + 4), u16(body + 12), u16(body + 14))
            }
            at = body + size + (size & 1)
        }
        guard let f = format else { throw .malformed(file: source, reason: "no fmt chunk") }
        guard let range = payload else { throw .malformed(file: source, reason: "no data chunk") }
        guard f.channels >= 1 else { throw .malformed(file: source, reason: "0 channels") }
        guard f.rate >= 1 else { throw .malformed(file: source, reason: "a sample rate of 0") }
        let float: Bool
        switch (f.tag, f.bits) {
        case (1, 8), (1, 16), (1, 24), (1, 32): float = false
        case (3, 32), (3, 64): float = true
        default:
            throw .unsupported(file: source, format: f.tag, bits: f.bits,
                               expected: "integer PCM (format 1) of 8, 16, 24 or 32 bits, or IEEE float (format 3) of 32 or 64 bits")
        }
        let width = f.bits / 8, frame = width * f.channels
        guard f.align == frame || f.align == 0 else {
            throw .malformed(file: source, reason: "block align \(f.align), expected \(frame) for \(f.channels) channels of \(f.bits) bits")
        }
        let frames = range.count / frame
        var mono = [Float](repeating: 0, count: frames)
        let scale = 1 / Double(f.channels)
        bytes.withUnsafeBufferPointer { raw in
            for i in 0..<frames {
                var sum = 0.0
                for c in 0..<f.channels {
                    let p = range.lowerBound + i * frame + c * width
                    sum += Self.sample(raw, at: p, bits: f.bits, float: float)
                }
                mono[i] = Float(sum * scale)
            }
        }
        self.init(sampleRate: f.rate, channels: f.channels, bitsPerSample: f.bits, isFloat: float, samples: mono)
    }

    static func sample(_ b: UnsafeBufferPointer<UInt8>, at p: Int, bits: Int, float: Bool) -> Double {
        func word(_ n: Int) -> UInt64 { (0..<n).reduce(UInt64(0)) { $0 | UInt64(b[p + $1]) << (8 * UInt64($1)) } }
        switch (bits, float) {
        case (8, _): return (Double(b[p]) - 128) / 128
        case (16, _): return Double(Int16(bitPattern: UInt16(word(2)))) / 32768
        case (24, _): return Double(Int32(bitPattern: UInt32(word(3)) << 8) >> 8) / 8_388_608
        case (32, false): return Double(Int32(bitPattern: UInt32(word(4)))) / 2_147_483_648
        case (32, true): return Double(Float(bitPattern: UInt32(word(4))))
        default: return Double(bitPattern: word(8))
        }
    }

    /// What a file starts with, for an error message: up to 12 bytes (a RIFF header's length) as text when printable, else hex.
    static func describe(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "an empty file" }
        let head = bytes.prefix(12)
        if head.allSatisfy({ (0x20...0x7E).contains($0) }) { return "\"\(String(decoding: head, as: UTF8.self))\"…" }
        return head.map { String(format: "%02x", $0) }.joined(separator: " ") + "…"
    }

    /// This audio as a 16-bit PCM mono WAV file (samples clipped to [-1, 1]).
    public func pcm16Bytes() -> [UInt8] {
        var out = [UInt8]()
        func put32(_ v: Int) { for k in 0..<4 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        func put16(_ v: Int) { for k in 0..<2 { out.append(UInt8((v >> (8 * k)) & 0xFF)) } }
        out += Array("RIFF".utf8); put32(36 + 2 * samples.count); out += Array("WAVEfmt ".utf8)
        put32(16); put16(1); put16(1); put32(sampleRate); put32(2 * sampleRate); put16(2); put16(16)
        out += Array("data".utf8); put32(2 * samples.count)
        for s in samples {
            let v = Int((Double(s.isNaN ? 0 : s).clamped(-1, 1) * 32767).rounded())
            put16(v & 0xFFFF)
        }
        return out
    }
}

extension Double {
    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(Swift.max(self, lo), hi) }
}

/// Why a WAV file could not be read.
public enum WAVError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read (`reason` is the system's message).
    case unreadable(file: String, reason: String)
    /// Not a RIFF/WAVE file at all; `found` is what it starts with.
    case notWAV(file: String, found: String)
    /// The file ends before a chunk it announces does.
    case truncated(file: String, expected: Int, found: Int)
    /// The bytes are not a well-formed RIFF/WAVE file (`reason` says where it breaks).
    case malformed(file: String, reason: String)
    /// A WAVE format or sample size this reader does not decode, and what it does.
    case unsupported(file: String, format: Int, bits: Int, expected: String)

    /// The message, naming the file and what was wrong.
    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read the file (\(r))"
        case let .notWAV(f, found): return "\(f): not a WAV file (expected \"RIFF\" … \"WAVE\", found \(found))"
        case let .truncated(f, e, found): return "\(f): truncated WAV file: its chunks need \(e) bytes, the file has \(found)"
        case let .malformed(f, r): return "\(f): malformed WAV file: \(r)"
        case let .unsupported(f, tag, bits, e): return "\(f): unsupported WAV sample format \(tag) with \(bits) bits; expected \(e)"
        }
    }
}
