/// Which Hugging Face implementation of BERT's tokenizer to reproduce, token id for token id.
///
/// The two implementations agree on ordinary text but not everywhere:
///
/// | | `.fast` (Rust `tokenizers`) | `.python` (transformers' Python `BertTokenizer`) |
/// |---|---|---|
/// | Who uses it | sentence-transformers, transformers ≥ 5 (`BertTokenizer`), `AutoTokenizer` | transformers < 5 `BertTokenizer`, v5 `BertTokenizerLegacy` |
/// | Unicode categories | Unicode 8.0 (the `unicode_categories` crate): newer characters are unassigned | the Python's `unicodedata` (3.11: Unicode 14.0) |
/// | Unassigned code points | kept (become `[UNK]`) | removed, like control characters |
/// | Final sigma (`ΟΔΟΣ`) | `σ` (per-character lowercase) | `ς` (Python's `str.lower` context rule) |
/// | CJK Extension E/F boundary | U+2B820…U+2B91F not treated as CJK (a typo in its range table) | treated as CJK |
/// | Steps | clean, CJK spacing, strip accents, lowercase | clean, CJK spacing, NFC, lowercase, strip accents |
///
/// ```swift
/// let fast = try BertTokenizer(modelDirectory: dir)                            // matches sentence-transformers
/// let slow = try BertTokenizer(modelDirectory: dir, compatibility: .python311)  // matches BertTokenizerLegacy
/// ```
public enum Compatibility: Sendable, Equatable {
    /// Hugging Face `tokenizers` (Rust), as used by sentence-transformers: the default.
    case fast
    /// transformers' pure-Python tokenizer running on a Python whose `unicodedata` implements `unicodeVersion`
    /// (3.11: 14.0, 3.12: 15.0, 3.13: 15.1).
    case python(unicodeVersion: UnicodeVersion)

    /// Python 3.11's tables, the version the committed fixtures were generated with.
    public static let python311 = Compatibility.python(unicodeVersion: UnicodeVersion(major: 14, minor: 0))
}

/// A Unicode version, to freeze character properties at the tables a reference implementation was built with.
///
/// ```swift
/// let python312 = Compatibility.python(unicodeVersion: UnicodeVersion(major: 15, minor: 0))
/// ```
public struct UnicodeVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The major version, e.g. 15 in Unicode 15.0.
    public let major: Int
    /// The minor version, e.g. 0 in Unicode 15.0.
    public let minor: Int

    /// The version `major`.`minor`.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Ordered by major, then minor version.
    public static func < (a: UnicodeVersion, b: UnicodeVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    /// "major.minor".
    public var description: String { "\(major).\(minor)" }
}
