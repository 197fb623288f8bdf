import Foundation
import Testing
@testable import AttentionText

/// Long runs of combining marks: normalisation stays linear and gives Foundation's (Unicode's) result.
struct CombiningRunTests {
    /// Marks of several combining classes (220, 230, 202, 1, 240, 216), a few bases and a non-starter that
    /// decomposes (U+0344 → U+0308 U+0301).
    static let alphabet: [Unicode.Scalar] = ["\u{0301}", "\u{0316}", "\u{0327}", "\u{0334}", "\u{0345}", "\u{031B}",
                                             "\u{0344}", "a", "\u{00E9}", "\u{1E09}", " ", "\u{0F73}"]

    @Test func reorderedInputNormalisesLikeFoundation() {
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {   // a 64-bit LCG's top bits: reproducible, good enough to mix marks
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<300 {
            let n = 1 + next(80)
            let s = (0..<n).map { _ in Self.alphabet[next(Self.alphabet.count)] }
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
