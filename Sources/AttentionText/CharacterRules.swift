/// The character classes of BERT's basic tokenizer, as one Hugging Face implementation sees them.
///
/// Swift's Unicode tables are newer than either reference (Swift 6.3: Unicode 17), so a category is looked up through
/// the reference's version: a character assigned after it counts as unassigned, and the few characters whose category
/// changed since are pinned to their old one. The classes follow Hugging Face's helper functions:
/// `_is_control` (category C*, except tab, newline, carriage return), `_is_whitespace` (space, tab, newline, carriage
/// return, category Zs), `_is_punctuation` (ASCII 33–47, 58–64, 91–96, 123–126, or category P*), `_is_chinese_char`
/// (the CJK ideograph blocks).
struct CharacterRules: Sendable {
    let compatibility: Compatibility
    /// Categories are frozen at this version.
    let version: UnicodeVersion
    /// Whether unassigned code points (category Cn) are removed like control characters (Python) or kept (Rust).
    let removesUnassigned: Bool
    /// Categories that changed between `version` and Swift's tables, for characters that matter here.
    let overrides: [UInt32: Unicode.GeneralCategory]
    let chineseRanges: [ClosedRange<UInt32>]

    init(_ compatibility: Compatibility) {
        self.compatibility = compatibility
        switch compatibility {
        case .fast:
            version = UnicodeVersion(major: 8, minor: 0)
            removesUnassigned = false
            overrides = Self.unicode8Overrides
            // `tokenizers` writes the Extension E/F block as 0x2B920...0x2CEAF (Python: 0x2B820).
            chineseRanges = Self.chineseRanges(extensionEStart: 0x2B920)
        case .python(let v):
            version = v
            removesUnassigned = true
            overrides = v < UnicodeVersion(major: 16, minor: 0) ? [0x1171E: .nonspacingMark] : [:]
            chineseRanges = Self.chineseRanges(extensionEStart: 0x2B820)
        }
    }

    /// Categories of Unicode 8.0 (the Rust crate's tables) where Unicode 17 differs in a way that changes tokens.
    static let unicode8Overrides: [UInt32: Unicode.GeneralCategory] = [
        0x166D: .otherPunctuation,   // CANADIAN SYLLABICS CHI SIGN: Po until 12.0, then So
        0x1885: .otherLetter,        // MONGOLIAN LETTER ALI GALI BALUDA: Lo until 9.0, then Mn
        0x1886: .otherLetter,        // MONGOLIAN LETTER ALI GALI THREE BALUDA: Lo until 9.0, then Mn
        0x1734: .nonspacingMark,     // HANUNOO SIGN PAMUDPOD: Mn until 14.0, then Mc
        0xA9BD: .spacingMark,        // JAVANESE CONSONANT SIGN KERET: Mc until 12.0, then Mn
        0x111C9: .otherPunctuation,  // SHARADA SANDHI MARK: Po until 13.0, then Mn
        0x1171E: .nonspacingMark,    // AHOM CONSONANT SIGN MEDIAL RA: Mn until 16.0, then Mc
    ]

    static func chineseRanges(extensionEStart: UInt32) -> [ClosedRange<UInt32>] {
        [0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
         extensionEStart...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F]
    }

    /// Whether the scalar is newer than the reference's tables (so it has no properties there).
    @inline(__always) func isUnknown(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return true }
        return UnicodeVersion(major: age.major, minor: age.minor) > version
    }

    /// The general category as the reference sees it.
    func category(_ s: Unicode.Scalar) -> Unicode.GeneralCategory {
        if let o = overrides[s.value] { return o }
        if isUnknown(s) { return .unassigned }
        return s.properties.generalCategory
    }

    /// Removed by text cleaning: NUL, U+FFFD and control characters (but tab, newline and carriage return are
    /// whitespace).
    func isRemoved(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return s.value == 0 || (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0x7F
        }
        if s.value == 0xFFFD { return true }
        switch category(s) {
        case .control, .format, .privateUse, .surrogate: return true
        case .unassigned: return removesUnassigned
        default: return false
        }
    }

    /// Whitespace after cleaning (becomes a separator). Python splits words with `str.split()`, which also breaks at
    /// U+2028 / U+2029; Rust uses the White_Space property. Both come to Zs, Zl, Zp plus tab, newline and return.
    func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s == " " || s == "\t" || s == "\n" || s == "\r" }
        switch compatibility {
        case .fast: return s.properties.isWhitespace
        case .python:
            let c = category(s)
            return c == .spaceSeparator || c == .lineSeparator || c == .paragraphSeparator
        }
    }

    func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        if v < 0x80 { return false }
        switch category(s) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    func isChinese(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x3400 && chineseRanges.contains { $0.contains(s.value) }
    }

    /// A combining mark that accent stripping removes (category Mn).
    func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && category(s) == .nonspacingMark
    }
}
