import Foundation
import Testing
@testable import AttentionText

/// Every code point through the basic tokenizer, against what Hugging Face's fast (Rust) and slow (Python)
/// tokenizers do with it (Tests/AttentionTextTests/Fixtures/unicode_behaviour.json, from Scripts/make_minilm_fixtures.py).
/// Needs no vocabulary.
struct UnicodeBehaviourTests {
    /// Expected behaviour of one code point c inside "a" + c + "b".
    enum Behaviour {
        case kept, removed, whitespace, isolated, hangul
        case mapped(String), mappedIsolated(String), tokens([String])
    }

    static func fixture() -> [String: Any] {
        try! JSONSerialization.jsonObject(with: Fixtures.data("unicode_behaviour.json")) as! [String: Any]
    }

    /// (code point, behaviour) for every non-surrogate code point, in order.
    static func behaviours(_ mode: String) -> [(UInt32, Behaviour)] {
        let fixture = fixture()
        let section = fixture[mode] as! [String: Any]
        var mapped = (fixture["fast"] as! [String: Any])["mapped"] as! [String: Any]
        if mode == "python" {
            for (k, v) in section["mapped"] as! [String: Any] { mapped[k] = v }
        }
        var out: [(UInt32, Behaviour)] = []
        out.reserveCapacity(0x110000)
        var c: UInt32 = 0
        let runs = Array((section["runs"] as! String).utf8)
        var i = 0
        while i < runs.count {
            let kind = runs[i]
            i += 1
            var n = 0
            while i < runs.count, (48...57).contains(runs[i]) { n = n * 10 + Int(runs[i] - 48); i += 1 }
            for _ in 0..<n {
                if c == 0xD800 { c = 0xE000 }
                let value = mapped[String(c)]
                let b: Behaviour
                switch kind {
                case UInt8(ascii: "K"): b = .kept
                case UInt8(ascii: "R"): b = .removed
                case UInt8(ascii: "S"): b = .whitespace
                case UInt8(ascii: "I"): b = .isolated
                case UInt8(ascii: "H"): b = .hangul
                case UInt8(ascii: "M"): b = .mapped(value as! String)
                case UInt8(ascii: "J"): b = .mappedIsolated(value as! String)
                default: b = .tokens(value as! [String])
                }
                out.append((c, b))
                c += 1
            }
        }
        return out
    }

    /// The canonical decomposition of a Hangul syllable, by the Unicode formula (independent of Foundation).
    static func hangulJamo(_ c: UInt32) -> String {
        let s = c - 0xAC00
        var out = String.UnicodeScalarView()
        out.append(Unicode.Scalar(0x1100 + s / 588)!)
        out.append(Unicode.Scalar(0x1161 + (s % 588) / 28)!)
        if s % 28 != 0 { out.append(Unicode.Scalar(0x11A7 + s % 28)!) }
        return String(out)
    }

    static func expectedTokens(_ c: UInt32, _ b: Behaviour) -> [String] {
        let ch = String(Unicode.Scalar(c)!)
        switch b {
        case .kept: return ["a" + ch + "b"]
        case .removed: return ["ab"]
        case .whitespace: return ["a", "b"]
        case .isolated: return ["a", ch, "b"]
        case .hangul: return ["a" + hangulJamo(c) + "b"]
        case .mapped(let m): return ["a" + m + "b"]
        case .mappedIsolated(let m): return ["a", m, "b"]
        case .tokens(let t): return t
        }
    }

    @Test(arguments: ["fast", "python"])
    func everyCodePointBehavesLikeHuggingFace(_ mode: String) {
        let basic = BasicTokenizer(compatibility: mode == "fast" ? .fast : .python311)
        let all = Self.behaviours(mode)
        #expect(all.count == 0x110000 - 0x800)
        var mismatches: [String] = []
        for (c, b) in all {
            // Debug builds are slow: check every assigned code point, and a sample of the large unassigned and
            // private-use planes (which behave as one run).
            if c >= 0x32000 && c % 61 != 0 { continue }
            let got = basic.tokenize("a" + String(Unicode.Scalar(c)!) + "b")
            let want = Self.expectedTokens(c, b)
            // Compare code points: String == would accept canonically equivalent spellings.
            if got.map({ Array($0.unicodeScalars) }) != want.map({ Array($0.unicodeScalars) }) {
                mismatches.append("U+\(String(c, radix: 16, uppercase: true)): got \(got.map(\.scalarsDescription)), want \(want.map(\.scalarsDescription))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) code points differ, first: \(mismatches.prefix(20).joined(separator: "\n"))")
    }
}
