import AttentionTensorCore
import AttentionText

/// The built-in sentiment corpus: short English reviews generated from a small grammar, labelled `positive` or
/// `negative`, with the position of the words that decide each label.
///
/// The grammar puts sentiment adjectives (and intensifiers) into sentence frames; some frames negate the adjective
/// ("… was not good at all"), some contrast two clauses, where the label follows the clause after "but" or the one
/// before "although". Frame words are neutral, so only the adjectives and the negation carry the label.
/// The held-out split uses **frames that never occur in training**: a model that scores well on it has found the
/// words that matter, not memorised sentences.
///
/// ```swift
/// let corpus = SentimentCorpus.generate(seed: 1)
/// print(corpus.train.count, corpus.test.count)   // 4000 1000
/// print(corpus.test[0].text, corpus.test[0].label, corpus.test[0].keyPositions)
/// ```
public enum SentimentCorpus {
    /// One generated review; `keyPositions` index `WordVocabulary.words(in: text)`: the deciding adjective and its
    /// negation word, if any.
    public struct Example: Sendable, Equatable {
        /// The review.
        public let text: String
        /// "positive" or "negative".
        public let label: String
        /// Word positions of the deciding adjective and of its negation word, if any.
        public let keyPositions: [Int]
    }

    /// The adjectives that make a clause positive (negated, negative).
    public static let positiveWords = ["good", "great", "excellent", "wonderful", "superb", "lovely", "brilliant", "fantastic",
                                       "delightful", "enjoyable", "pleasant", "charming", "amazing", "perfect", "beautiful"]
    /// The adjectives that make a clause negative (negated, positive).
    public static let negativeWords = ["bad", "terrible", "awful", "boring", "dull", "horrible", "poor", "disappointing",
                                       "dreadful", "tedious", "mediocre", "weak", "annoying", "ugly", "bland"]
    static let intensifiers = ["very", "really", "truly", "quite", "extremely", "incredibly", "so", "rather"]
    static let nouns = ["movie", "film", "book", "food", "service", "hotel", "concert", "album", "game", "story", "acting",
                        "music", "ending", "show", "restaurant", "camera", "phone", "trip", "class", "design"]
    static let determiners = ["the", "this", "that"]

    /// The parts a review is composed of. A frame is one choice of opener, verb and ending around one clause or a
    /// contrast of two ("… but …": the second clause decides; "… although …": the first). Training frames draw every
    /// part from the `training` lists; a held-out frame has an opener, a verb and an ending of its own lists, so no
    /// held-out frame occurs in training, and its filler words are mostly words the training text never had.
    struct Parts {
        let openers: [String], verbs: [String], endings: [String]
    }

    static let trainingParts = Parts(
        openers: ["", "", "honestly ,", "overall", "i think", "i thought", "we agreed that", "my friend said", "frankly ,", "for me"],
        verbs: ["was", "is", "seemed", "felt", "looked"],
        endings: ["", "", ".", "!", "to me", "overall", "for us"])
    static let heldOutParts = Parts(
        openers: ["in my opinion", "to be fair ,", "everyone says", "after a while", "as far as i can tell ,"],
        verbs: ["became", "sounded", "appeared", "remained"],
        endings: ["in the end", "this time", "i guess", "today"])

    static let negations = ["not", "never"]

    /// `trainCount` examples from training frames and `testCount` from held-out frames, alternating the labels.
    public static func generate(seed: UInt64 = 1, trainCount: Int = 4000, testCount: Int = 1000) -> (train: [Example], test: [Example]) {
        var rng = RandomGenerator(seed: seed)
        let train = (0..<trainCount).map { example(trainingParts, positive: $0 % 2 == 0, rng: &rng) }
        let test = (0..<testCount).map { example(heldOutParts, positive: $0 % 2 == 0, rng: &rng) }
        return (train, test)
    }

    static func pick<T>(_ items: [T], _ rng: inout RandomGenerator) -> T { items[rng.integer(below: items.count)] }

    /// Appends one clause "det noun verb [neg] [intensifier] adjective" with the given polarity to `words`;
    /// when `key` is set, the adjective's and the negation's positions are recorded there.
    static func clause(_ parts: Parts, positive: Bool, into words: inout [String], key: inout [Int], deciding: Bool,
                       rng: inout RandomGenerator) {
        words += [pick(determiners, &rng), pick(nouns, &rng), pick(parts.verbs, &rng)]
        let negated = rng.integer(below: 3) == 0
        if negated {
            if deciding { key.append(words.count) }
            words.append(pick(negations, &rng))
        }
        if rng.integer(below: 2) == 0 { words.append(pick(intensifiers, &rng)) }
        if deciding { key.append(words.count) }
        // Under negation the adjective has the opposite polarity of the clause.
        words.append(pick(positive != negated ? positiveWords : negativeWords, &rng))
    }

    static func example(_ parts: Parts, positive: Bool, rng: inout RandomGenerator) -> Example {
        var words: [String] = [], key: [Int] = []
        func add(_ text: String) { words += text.split(separator: " ").map(String.init) }
        add(pick(parts.openers, &rng))
        switch rng.integer(below: 6) {
        case 0:   // "… but …": the second clause decides
            clause(parts, positive: !positive, into: &words, key: &key, deciding: false, rng: &rng)
            add(pick([", but", "but"], &rng))
            clause(parts, positive: positive, into: &words, key: &key, deciding: true, rng: &rng)
        case 1:   // "… although …": the first clause decides
            clause(parts, positive: positive, into: &words, key: &key, deciding: true, rng: &rng)
            add(pick([", although", "although"], &rng))
            clause(parts, positive: !positive, into: &words, key: &key, deciding: false, rng: &rng)
        default:
            clause(parts, positive: positive, into: &words, key: &key, deciding: true, rng: &rng)
        }
        add(pick(parts.endings, &rng))
        return Example(text: words.joined(separator: " "), label: positive ? "positive" : "negative", keyPositions: key)
    }

    /// The examples as `label<TAB>text` lines (the corpus format `attention classify` reads).
    public static func tsv(_ examples: [Example]) -> String {
        examples.map { "\($0.label)\t\($0.text)\n" }.joined()
    }

}
