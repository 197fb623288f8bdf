import Foundation
import Testing
@testable import Text

/// Long runs of combining marks: normalisation stays linear and gives Foundation's (Unicode's) result.
struct CombiningRunTests {
    /// Marks of several combining classes (220, 230, 202, 1, 240, 216), a few bases and a non-starter that
    /// decomposes (U+0344 → U+0308 U+0301).
    static let alphabet: [Unicode.Scalar] = ["\u{0301}", "\u{0316}", "\u{0327}", "\u{0334}", "\u{0345}", "\u{031B}",
                                             "\u{0344}", "a", "\u{00E9}", "\u{1E09}", " ", "\u{0F73}"]

    @Test func reorderedInputNormalisesLikeFoundation() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<300 {
            let n = Int.random(in: 1...80, using: &rng)
            let s = (0..<n).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &rng)] }
            let text = String(String.UnicodeScalarView(s))
            let nfd = Array(text.decomposedStringWithCanonicalMapping.unicodeScalars)
            #expect(BasicTokenizer.decomposedByScalar(s) == nfd, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(BasicTokenizer.normalized(s, nfd: true) == nfd)
            #expect(BasicTokenizer.normalized(s, nfd: false) == Array(text.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
    }

    /// 100k alternating marks after a letter (was 20 s fast, 35 s python in a debug build): accents stripped,
    /// words "a" and "b", in both compatibility modes; unstripped (cased), the marks stay, in canonical order.
    @Test func hundredThousandMarks() {
        let marks = (0..<100_000).map { $0 % 2 == 0 ? "\u{0301}" : "\u{0316}" }.joined()
        for compat in [Compatibility.fast, .python311] {
            #expect(BasicTokenizer(compatibility: compat).tokenize("a" + marks + " b") == ["a", "b"])
            let kept = BasicTokenizer(lowercase: false, stripAccents: false, compatibility: compat).tokenize("\u{00E1}" + marks)
            #expect(kept.count == 1 && kept[0].unicodeScalars.count == 100_001)
        }
    }
}

/// SplitMix64, so the sequence is reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
