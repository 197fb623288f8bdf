import AttentionTensorCore
import AttentionText

/// The built-in grammar corpus: French → English sentence pairs generated from a small grammar, with a held-out
/// split made of **noun–adjective combinations never seen in training**, so that its exact match measures
/// generalisation rather than memory.
///
/// The grammar has three sentence forms, each optionally negated:
///
///     NP V NP .          le chat noir mange la pomme rouge .   →  the black cat eats the red apple .
///     PRON V NP .        je n'aime pas les voitures bleues .   →  i do not like the blue cars .
///     NP être ADJ .      les fleurs ne sont pas blanches .     →  the flowers are not white .
///
/// French noun phrases put the adjective after the noun and agree in gender and number (le/la/les, un/une/des,
/// mon/ma/mes, ce/cette/ces; bleu/bleue/bleus/bleues); verbs agree with the subject (je vois, il voit, ils voient)
/// and elide before a vowel (j'aime, n'aime). English puts the adjective first and agrees only where English does
/// (the dog sees / the dogs see, does not / do not, this / these, a / an). Every noun has one adjective it is never
/// paired with in training — in any position, attributive or predicative; the test sentences are the ones that
/// contain such a pair. Each example records its noun–adjective crossings (token positions in both sentences) so
/// that an alignment can be checked against them (``TranslationEvaluation/alignmentAccuracy``).
///
/// ```swift
/// let corpus = GrammarCorpus.generate()            // seed 1: 6,000 training pairs, 600 held-out pairs
/// print(corpus.test[0].french, "→", corpus.test[0].english)
/// ```
public enum GrammarCorpus {
    /// One generated pair, its tokens (``WordVocabulary/words(in:)`` of each side) and its crossings.
    public struct Example: Sendable, Equatable {
        /// The French sentence.
        public let french: String
        /// Its English translation.
        public let english: String
        /// Where the order flips: French noun then adjective, English adjective then noun (token positions).
        public let crossings: [Crossing]
    }

    /// The positions of one noun phrase's noun and adjective on both sides.
    public struct Crossing: Sendable, Equatable, Hashable {
        /// Token positions: the French noun and adjective, the English adjective and noun.
        public let sourceNoun: Int, sourceAdjective: Int, targetAdjective: Int, targetNoun: Int
    }

    struct Noun { let feminine: Bool; let fr: String, frPlural: String, en: String, enPlural: String }
    struct Adjective { let fr: [String]; let en: String }   // fr: m sg, f sg, m pl, f pl
    struct Verb { let fr: [String]; let en: String, en3: String }   // fr: je tu il nous vous ils

    static let nouns: [Noun] = [
        Noun(feminine: false, fr: "chat", frPlural: "chats", en: "cat", enPlural: "cats"),
        Noun(feminine: false, fr: "chien", frPlural: "chiens", en: "dog", enPlural: "dogs"),
        Noun(feminine: false, fr: "livre", frPlural: "livres", en: "book", enPlural: "books"),
        Noun(feminine: false, fr: "garçon", frPlural: "garçons", en: "boy", enPlural: "boys"),
        Noun(feminine: false, fr: "oiseau", frPlural: "oiseaux", en: "bird", enPlural: "birds"),
        Noun(feminine: false, fr: "camion", frPlural: "camions", en: "truck", enPlural: "trucks"),
        Noun(feminine: false, fr: "cheval", frPlural: "chevaux", en: "horse", enPlural: "horses"),
        Noun(feminine: false, fr: "vélo", frPlural: "vélos", en: "bike", enPlural: "bikes"),
        Noun(feminine: true, fr: "voiture", frPlural: "voitures", en: "car", enPlural: "cars"),
        Noun(feminine: true, fr: "maison", frPlural: "maisons", en: "house", enPlural: "houses"),
        Noun(feminine: true, fr: "fille", frPlural: "filles", en: "girl", enPlural: "girls"),
        Noun(feminine: true, fr: "pomme", frPlural: "pommes", en: "apple", enPlural: "apples"),
        Noun(feminine: true, fr: "fleur", frPlural: "fleurs", en: "flower", enPlural: "flowers"),
        Noun(feminine: true, fr: "table", frPlural: "tables", en: "table", enPlural: "tables"),
        Noun(feminine: true, fr: "chemise", frPlural: "chemises", en: "shirt", enPlural: "shirts"),
        Noun(feminine: true, fr: "souris", frPlural: "souris", en: "mouse", enPlural: "mice"),
    ]

    static let adjectives: [Adjective] = [
        Adjective(fr: ["bleu", "bleue", "bleus", "bleues"], en: "blue"),
        Adjective(fr: ["vert", "verte", "verts", "vertes"], en: "green"),
        Adjective(fr: ["noir", "noire", "noirs", "noires"], en: "black"),
        Adjective(fr: ["blanc", "blanche", "blancs", "blanches"], en: "white"),
        Adjective(fr: ["rouge", "rouge", "rouges", "rouges"], en: "red"),
        Adjective(fr: ["gris", "grise", "gris", "grises"], en: "grey"),
        Adjective(fr: ["lourd", "lourde", "lourds", "lourdes"], en: "heavy"),
        Adjective(fr: ["rapide", "rapide", "rapides", "rapides"], en: "fast"),
    ]

    static let verbs: [Verb] = [
        Verb(fr: ["vois", "vois", "voit", "voyons", "voyez", "voient"], en: "see", en3: "sees"),
        Verb(fr: ["mange", "manges", "mange", "mangeons", "mangez", "mangent"], en: "eat", en3: "eats"),
        Verb(fr: ["aime", "aimes", "aime", "aimons", "aimez", "aiment"], en: "like", en3: "likes"),
        Verb(fr: ["prends", "prends", "prend", "prenons", "prenez", "prennent"], en: "take", en3: "takes"),
        Verb(fr: ["achète", "achètes", "achète", "achetons", "achetez", "achètent"], en: "buy", en3: "buys"),
        Verb(fr: ["porte", "portes", "porte", "portons", "portez", "portent"], en: "carry", en3: "carries"),
        Verb(fr: ["regarde", "regardes", "regarde", "regardons", "regardez", "regardent"], en: "watch", en3: "watches"),
        Verb(fr: ["cherche", "cherches", "cherche", "cherchons", "cherchez", "cherchent"], en: "want", en3: "wants"),
    ]

    /// Subject pronouns: French, English, the person index of `Verb.fr` (0 je … 5 ils), English third singular.
    static let pronouns: [(fr: String, en: String, person: Int, third: Bool)] = [
        ("je", "i", 0, false), ("tu", "you", 1, false), ("il", "he", 2, true), ("elle", "she", 2, true),
        ("nous", "we", 3, false), ("vous", "you", 4, false), ("ils", "they", 5, false), ("elles", "they", 5, false),
    ]

    /// Determiners: French m sg, f sg, plural; English singular, plural.
    static let determiners: [(fr: [String], en: [String])] = [
        (["le", "la", "les"], ["the", "the"]),
        (["un", "une", "des"], ["a", "some"]),
        (["mon", "ma", "mes"], ["my", "my"]),
        (["ce", "cette", "ces"], ["this", "these"]),
    ]

    /// The one adjective each noun never meets in training: a Latin-square choice, so every adjective is held out
    /// with exactly two nouns and every noun keeps seven adjectives for training.
    public static func isHeldOut(noun: Int, adjective: Int) -> Bool { (noun + 3 * adjective) % adjectives.count == 0 }

    /// A noun phrase being built: its tokens on both sides, the noun–adjective pair and the crossing offsets.
    struct Phrase {
        var fr: [String], en: [String]
        let noun: Int, adjective: Int?, plural: Bool
        /// Offsets inside `fr`/`en` of the noun and the adjective (when there is one).
        var crossing: (frNoun: Int, frAdjective: Int, enAdjective: Int, enNoun: Int)?
    }

    static func phrase(_ rng: inout RandomGenerator, withAdjective: Double = 0.6) -> Phrase {
        let n = rng.integer(below: nouns.count), noun = nouns[n]
        let plural = rng.integer(below: 3) == 0
        let d = determiners[rng.integer(below: determiners.count)]
        let a = rng.uniform() < withAdjective ? rng.integer(below: adjectives.count) : nil
        var frDeterminer = plural ? d.fr[2] : (noun.feminine ? d.fr[1] : d.fr[0])
        // Before a vowel: "le" elides (l'oiseau), "ce" becomes "cet" (cet oiseau).
        if !plural && startsWithVowel(noun.fr) {
            if frDeterminer == "le" || frDeterminer == "la" { frDeterminer = "l'" } else if frDeterminer == "ce" { frDeterminer = "cet" }
        }
        var fr = [frDeterminer, plural ? noun.frPlural : noun.fr]
        var en = [plural ? d.en[1] : d.en[0]]
        var crossing: (Int, Int, Int, Int)?
        if let a {
            fr.append(adjectives[a].fr[(plural ? 2 : 0) + (noun.feminine ? 1 : 0)])
            en.append(adjectives[a].en)
            crossing = (1, 2, 1, 2)
        }
        en.append(plural ? noun.enPlural : noun.en)
        // English "a" becomes "an" before a vowel sound (here: a vowel letter).
        if en[0] == "a", let first = en[1].first, "aeiou".contains(first) { en[0] = "an" }
        return Phrase(fr: fr, en: en, noun: n, adjective: a, plural: plural, crossing: crossing)
    }

    /// Joins French tokens, writing an elided word ("j'", "n'") against the next one as French does.
    static func joinFrench(_ tokens: [String]) -> String {
        var out = ""
        for (i, t) in tokens.enumerated() {
            out += t
            if i + 1 < tokens.count && !t.hasSuffix("'") { out += " " }
        }
        return out
    }

    /// Elision before a vowel (the grammar has no aspirated h).
    static func startsWithVowel(_ word: String) -> Bool { word.first.map { "aeiouéèêàâîôû".contains($0) } ?? false }

    /// One sentence pair and the noun–adjective pairs it contains.
    static func sentence(_ rng: inout RandomGenerator) -> (example: Example, pairs: [(noun: Int, adjective: Int)]) {
        var fr: [String] = [], en: [String] = [], crossings: [Crossing] = [], pairs: [(Int, Int)] = []
        func add(_ p: Phrase) {
            if let c = p.crossing {
                crossings.append(Crossing(sourceNoun: fr.count + c.frNoun, sourceAdjective: fr.count + c.frAdjective,
                                          targetAdjective: en.count + c.enAdjective, targetNoun: en.count + c.enNoun))
            }
            if let a = p.adjective { pairs.append((p.noun, a)) }
            fr += p.fr; en += p.en
        }
        let negated = rng.integer(below: 3) == 0
        /// French "ne … pas" around the verb, with the elision before a vowel.
        func frenchVerb(_ form: String) -> [String] {
            negated ? [startsWithVowel(form) ? "n'" : "ne", form, "pas"] : [form]
        }
        switch rng.integer(below: 5) {
        case 0, 1:   // NP V NP .
            let subject = phrase(&rng), v = verbs[rng.integer(below: verbs.count)]
            add(subject)
            fr += frenchVerb(v.fr[subject.plural ? 5 : 2])
            en += negated ? [subject.plural ? "do" : "does", "not", v.en] : [subject.plural ? v.en : v.en3]
            add(phrase(&rng))
        case 2, 3:   // PRON V NP .
            let p = pronouns[rng.integer(below: pronouns.count)], v = verbs[rng.integer(below: verbs.count)]
            let form = v.fr[p.person]
            if p.fr == "je" && !negated && startsWithVowel(form) { fr.append("j'") } else { fr.append(p.fr) }
            fr += frenchVerb(form)
            en += [p.en] + (negated ? [p.third ? "does" : "do", "not", v.en] : [p.third ? v.en3 : v.en])
            add(phrase(&rng))
        default:     // NP être ADJ . (the predicative adjective agrees with the subject too)
            let subject = phrase(&rng, withAdjective: 0.3), a = rng.integer(below: adjectives.count)
            add(subject)
            let be = subject.plural ? "sont" : "est"
            fr += negated ? [be == "est" ? "n'" : "ne", be, "pas"] : [be]
            en += [subject.plural ? "are" : "is"] + (negated ? ["not"] : [])
            fr.append(adjectives[a].fr[(subject.plural ? 2 : 0) + (nouns[subject.noun].feminine ? 1 : 0)])
            en.append(adjectives[a].en)
            pairs.append((subject.noun, a))
        }
        fr.append("."); en.append(".")
        return (Example(french: joinFrench(fr), english: en.joined(separator: " "), crossings: crossings), pairs)
    }

    /// `trainCount` distinct training pairs (no held-out noun–adjective pair anywhere in them) and `testCount`
    /// distinct test pairs, each containing at least one held-out pair. Seeded: the same seed, the same corpus.
    public static func generate(seed: UInt64 = 1, trainCount: Int = 6000, testCount: Int = 600) -> (train: [Example], test: [Example]) {
        precondition(trainCount >= 0 && testCount >= 0, "GrammarCorpus.generate: counts must be ≥ 0")
        var rng = RandomGenerator(seed: seed)
        var train: [Example] = [], test: [Example] = [], seen = Set<String>()
        var attempts = 0
        // The grammar has far more distinct sentences than asked for; the attempt cap only guards a huge request.
        while (train.count < trainCount || test.count < testCount) && attempts < 100 * (trainCount + testCount) {
            attempts += 1
            let (e, pairs) = sentence(&rng)
            guard seen.insert(e.french).inserted else { continue }
            if pairs.contains(where: { isHeldOut(noun: $0.noun, adjective: $0.adjective) }) {
                if test.count < testCount { test.append(e) }
            } else if train.count < trainCount {
                train.append(e)
            }
        }
        return (train, test)
    }

    /// The pairs as `french<TAB>english` lines (the corpus format `attention translate train` reads).
    public static func tsv(_ examples: [Example]) -> String {
        examples.map { "\($0.french)\t\($0.english)\n" }.joined()
    }
}
