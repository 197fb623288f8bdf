import Testing
@testable import AttentionText

/// The rules of BERT's basic tokenizer, one by one. Needs no vocabulary.
struct BasicTokenizerTests {
    static let fast = BasicTokenizer()
    static let python = BasicTokenizer(compatibility: .python311)

    @Test func emptyAndWhitespaceOnlyTextHaveNoWords() {
        for basic in [Self.fast, Self.python] {
            #expect(basic.tokenize("").isEmpty)
            #expect(basic.tokenize(" \t\n\r\u{3000}\u{A0}\u{2028}").isEmpty)
        }
    }

    @Test func lowercasesAndStripsAccents() {
        #expect(Self.fast.tokenize("Café NAÏVE Résumé") == ["cafe", "naive", "resume"])
        // Decomposed input ends up the same as precomposed.
        #expect(Self.fast.tokenize("Cafe\u{301}") == ["cafe"])
        #expect(Self.python.tokenize("Cafe\u{301}") == ["cafe"])
        // İ lower-cases to i + combining dot, which accent stripping removes.
        #expect(Self.fast.tokenize("İstanbul") == ["istanbul"])
        let cased = BasicTokenizer(lowercase: false)
        #expect(cased.tokenize("Café") == ["Café"])
        let casedStripped = BasicTokenizer(lowercase: false, stripAccents: true)
        #expect(casedStripped.tokenize("Café") == ["Cafe"])
        let lowerKeepAccents = BasicTokenizer(lowercase: true, stripAccents: false)
        #expect(lowerKeepAccents.tokenize("CAFÉ").map(\.scalarsDescription) == ["63 61 66 e9"])
    }

    @Test func splitsPunctuationIntoSingleCharacters() {
        #expect(Self.fast.tokenize("!!!...???") == ["!", "!", "!", ".", ".", ".", "?", "?", "?"])
        // ASCII symbols count as punctuation; other symbols (€, emoji) stay inside words.
        #expect(Self.fast.tokenize("a$b^c`d") == ["a", "$", "b", "^", "c", "`", "d"])
        #expect(Self.fast.tokenize("5€ x😀y") == ["5€", "x😀y"])
        #expect(Self.fast.tokenize("«quoted» — dash") == ["«", "quoted", "»", "—", "dash"])
    }

    @Test func spacesOutCJKIdeographsButNotKanaOrHangul() {
        #expect(Self.fast.tokenize("我爱北京") == ["我", "爱", "北", "京"])
        #expect(Self.fast.tokenize("abc天def") == ["abc", "天", "def"])
        // Hiragana and Hangul are not in the CJK ideograph blocks; Hangul syllables decompose to jamo (NFD).
        #expect(Self.fast.tokenize("ひらがな") == ["ひらかな"])  // the dakuten (a combining mark after NFD) goes
        #expect(Self.fast.tokenize("한").map(\.scalarsDescription) == ["1112 1161 11ab"])
        let off = BasicTokenizer(tokenizeChineseCharacters: false)
        #expect(off.tokenize("我爱北京") == ["我爱北京"])
    }

    @Test func removesControlCharactersAndNormalisesWhitespace() {
        #expect(Self.fast.tokenize("a\u{0}b\u{FFFD}c\u{1}d\u{7F}e\u{200B}f\u{AD}g") == ["abcdefg"])
        #expect(Self.fast.tokenize("tab\there\nnew\u{2009}thin") == ["tab", "here", "new", "thin"])
        // Vertical tab and form feed are control characters (removed), not whitespace.
        #expect(Self.fast.tokenize("a\u{B}b\u{C}c") == ["abc"])
    }

    @Test func theImplementationsDifferOnFinalSigma() {
        #expect(Self.fast.tokenize("ΟΔΟΣ").map(\.scalarsDescription) == ["3bf 3b4 3bf 3c3"])     // σ
        #expect(Self.python.tokenize("ΟΔΟΣ").map(\.scalarsDescription) == ["3bf 3b4 3bf 3c2"])   // ς
        // Not final: followed by a cased letter (the punctuation between is case-ignorable).
        #expect(Self.python.tokenize("ΑΣ'Α").map(\.scalarsDescription) == ["3b1 3c3", "27", "3b1"])
    }

    @Test func theImplementationsDifferOnUnassignedCodePoints() {
        // U+0378 is unassigned: Python removes it like a control character, Rust keeps it.
        #expect(Self.fast.tokenize("x\u{378}y").map(\.scalarsDescription) == ["78 378 79"])
        #expect(Self.python.tokenize("x\u{378}y") == ["xy"])
        // U+1FAE8 (Unicode 15) is unknown to both references' tables, but only Python drops unknown characters.
        #expect(Self.fast.tokenize("\u{1FAE8}") == ["\u{1FAE8}"])
        #expect(Self.python.tokenize("\u{1FAE8}").isEmpty)
        #expect(BasicTokenizer(compatibility: .python(unicodeVersion: UnicodeVersion(major: 15, minor: 0))).tokenize("\u{1FAE8}") == ["\u{1FAE8}"])
    }

    @Test func wordsAreCodePointsNotGraphemeClusters() {
        // A family emoji is one Character but four code points joined by U+200D (a format character, removed).
        let words = Self.fast.tokenize("👨‍👩‍👧")
        #expect(words.count == 1 && words[0].unicodeScalars.count == 3)
    }
}
