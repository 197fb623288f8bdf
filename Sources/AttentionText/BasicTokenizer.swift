import Foundation

/// BERT's basic tokenizer: cleans the text, spaces out CJK ideographs, lower-cases, strips accents and splits words at
/// whitespace and punctuation. The words then go to WordPiece.
///
/// Works on Unicode scalars throughout, never on `Character`s or `String` equality: Hugging Face counts, compares and
/// splits code points, and Swift's grapheme clusters and canonical equivalence would merge what it keeps apart.
///
/// ```swift
/// let basic = BasicTokenizer()
/// basic.tokenize("Héllo, WORLD! 我爱北京")   // ["hello", ",", "world", "!", "我", "爱", "北", "京"]
/// ```
public struct BasicTokenizer: Sendable {
    /// Lower-case the text (BERT "uncased" models).
    public var lowercase: Bool
    /// Remove accents (NFD, then drop combining marks of category Mn); nil means "when lower-casing", as in BERT.
    public var stripAccents: Bool?
    /// Put spaces around CJK ideographs so that each becomes a word.
    public var tokenizeChineseCharacters: Bool
    /// Remove NUL, U+FFFD and control characters, and turn whitespace characters into spaces.
    public var cleanText: Bool
    /// Which Unicode tables the character classes follow.
    public let compatibility: Compatibility
    let rules: CharacterRules

    /// A tokenizer with BERT's defaults; `stripAccents` nil follows `lowercase`, as Hugging Face does.
    public init(lowercase: Bool = true, stripAccents: Bool? = nil, tokenizeChineseCharacters: Bool = true,
                cleanText: Bool = true, compatibility: Compatibility = .fast) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents
        self.tokenizeChineseCharacters = tokenizeChineseCharacters
        self.cleanText = cleanText
        self.compatibility = compatibility
        self.rules = CharacterRules(compatibility)
    }

    /// The words of `text` after normalisation, as strings.
    public func tokenize(_ text: String) -> [String] {
        words(Array(text.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }
    }

    /// The words of `text` after normalisation, as scalar arrays (what WordPiece consumes).
    func words(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var s = prepared(text)
        let strip = stripAccents ?? lowercase
        switch compatibility {
        case .fast:
            // tokenizers' BertNormalizer strips accents, then lower-cases, over the whole text; then its
            // pre-tokenizer splits at whitespace and punctuation.
            if strip { s = stripAccentsFrom(s) }
            if lowercase { s = lowercasedPerScalar(s) }
            return splitWords(s).flatMap(splitPunctuation)
        case .python:
            // transformers' BasicTokenizer: NFC, split at whitespace, then per word lower-case (with Python's
            // final-sigma rule) and strip accents, then split at punctuation.
            if s.contains(where: { $0.value >= 0x300 }) { s = Self.normalized(s, nfd: false) }
            return splitWords(s).flatMap { word -> [[Unicode.Scalar]] in
                var w = word
                if lowercase { w = lowercasedLikePython(w) }
                if strip { w = stripAccentsFrom(w) }
                return splitPunctuation(w)
            }
        }
    }

    /// Cleaning and CJK spacing, the steps both implementations share.
    private func prepared(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count + 8)
        for s in text {
            if cleanText {
                if rules.isRemoved(s) { continue }
                if rules.isWhitespace(s) { out.append(" "); continue }
            }
            if tokenizeChineseCharacters && rules.isChinese(s) {
                out.append(" ")
                out.append(s)
                out.append(" ")
            } else {
                out.append(s)
            }
        }
        return out
    }

    private func splitWords(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in s {
            if rules.isWhitespace(c) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Each punctuation character becomes a word of its own; runs of other characters stay together.
    private func splitPunctuation(_ word: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var out: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in word {
            if rules.isPunctuation(c) {
                if !current.isEmpty { out.append(current); current.removeAll(keepingCapacity: true) }
                out.append([c])
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// NFD, then remove nonspacing marks. Characters newer than the reference's tables are left undecomposed, as
    /// the reference does not know their decompositions either.
    private func stripAccentsFrom(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Nothing below U+00C0 decomposes or is a mark.
        guard s.contains(where: { $0.value >= 0xC0 }) else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + 4)
        var pending: [Unicode.Scalar] = []
        func flush() {
            guard !pending.isEmpty else { return }
            for c in Self.normalized(pending, nfd: true) where !rules.isNonspacingMark(c) { out.append(c) }
            pending.removeAll(keepingCapacity: true)
        }
        for c in s {
            if c.value >= 0x300 && rules.isUnknown(c) {
                flush()
                out.append(c)
            } else {
                pending.append(c)
            }
        }
        flush()
        return out
    }

    /// Rust's per-character `to_lowercase`: full mappings (İ → i̇), no context.
    private func lowercasedPerScalar(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for c in s { Self.appendLowercase(c, to: &out) }
        return out
    }

    /// Python's `str.lower()`: full mappings plus the Final_Sigma rule — Σ becomes ς when a cased letter precedes it
    /// and none follows it (skipping case-ignorable characters both ways), σ otherwise.
    private func lowercasedLikePython(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            guard c == "\u{03A3}" else { Self.appendLowercase(c, to: &out); continue }
            var j = i - 1
            while j >= 0, s[j].properties.isCaseIgnorable { j -= 1 }
            var final = j >= 0 && s[j].properties.isCased
            if final {
                var k = i + 1
                while k < s.count, s[k].properties.isCaseIgnorable { k += 1 }
                final = k == s.count || !s[k].properties.isCased
            }
            out.append(final ? "\u{03C2}" : "\u{03C3}")
        }
        return out
    }

    @inline(__always) private static func appendLowercase(_ c: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        if c.value < 0x80 {
            out.append(c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 32)! : c)
        } else if c.properties.changesWhenLowercased {
            out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
        } else {
            out.append(c)
        }
    }

    /// Canonical decomposition (NFD) or composition (NFC) of a scalar sequence.
    ///
    /// Foundation puts combining marks in canonical order by insertion, quadratic in the length of a run of marks
    /// (100k alternating marks: 9 s for NFD, and 16 s when a precomposed letter heads the run). Runs longer than
    /// ``longRun`` are therefore decomposed here, by the definition of NFD — each scalar's full decomposition,
    /// then every run of non-zero combining classes stably sorted by class — and composed by Foundation from
    /// that ordered form, on which it is linear. Shorter runs keep the single Foundation call.
    static func normalized(_ s: [Unicode.Scalar], nfd: Bool) -> [Unicode.Scalar] {
        if hasLongRun(s) {
            let d = decomposedByScalar(s)
            return nfd ? d : Array(String(String.UnicodeScalarView(d)).precomposedStringWithCanonicalMapping.unicodeScalars)
        }
        let string = String(String.UnicodeScalarView(s))
        let result = nfd ? string.decomposedStringWithCanonicalMapping : string.precomposedStringWithCanonicalMapping
        return Array(result.unicodeScalars)
    }

    /// Runs of combining marks up to this length go to Foundation as they are.
    static let longRun = 32

    static func combiningClass(_ c: Unicode.Scalar) -> UInt8 {
        c.value < 0x300 ? 0 : c.properties.canonicalCombiningClass.rawValue
    }

    static func hasLongRun(_ s: [Unicode.Scalar]) -> Bool {
        var run = 0
        for c in s {
            run = combiningClass(c) == 0 ? 0 : run + 1
            if run > longRun { return true }
        }
        return false
    }

    /// NFD in O(n log n): the full canonical decomposition of each scalar (Foundation on one scalar at a time,
    /// cached), then each run of non-zero combining classes stably sorted by class. As in Foundation's (and so the
    /// fixtures') NFD, a scalar of class 0 starts a new run even when its decomposition begins with marks (U+0F73
    /// → U+0F71 U+0F72): marks are never reordered across it.
    static func decomposedByScalar(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var cache: [UInt32: [Unicode.Scalar]] = [:]
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + 8)
        var segment = 0
        for c in s {
            if combiningClass(c) == 0 {
                sortRuns(&out, from: segment)
                segment = out.count
            }
            // Nothing below U+00C0 decomposes.
            if c.value < 0xC0 { out.append(c); continue }
            if let d = cache[c.value] { out.append(contentsOf: d); continue }
            let d = Array(String(c).decomposedStringWithCanonicalMapping.unicodeScalars)
            cache[c.value] = d
            out.append(contentsOf: d)
        }
        sortRuns(&out, from: segment)
        return out
    }

    /// Stably sorts each maximal run of non-zero combining classes in `out[start...]` by class.
    static func sortRuns(_ out: inout [Unicode.Scalar], from start: Int) {
        var i = start
        while i < out.count {
            guard combiningClass(out[i]) != 0 else { i += 1; continue }
            var j = i + 1
            while j < out.count, combiningClass(out[j]) != 0 { j += 1 }
            if j - i > 1 {
                // (class, position) keys: a stable order without relying on the standard sort's stability.
                let ordered = out[i..<j].enumerated().map { (key: (combiningClass($0.element), $0.offset), scalar: $0.element) }
                    .sorted { $0.key < $1.key }
                for (k, e) in ordered.enumerated() { out[i + k] = e.scalar }
            }
            i = j
        }
    }
}
