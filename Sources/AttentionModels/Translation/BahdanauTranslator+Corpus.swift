import Attention
import Foundation
import AttentionText
import AttentionTraining

/// Parallel text for the translator: the tutorial's small French → English corpus, reading tab-separated corpora,
/// and the tutorial's full-batch training loop (``TranslationTraining`` is the mini-batched one).
extension BahdanauTranslator {
    /// 42 short French → English sentence pairs written for this project (subject pronouns, être / avoir, a few
    /// nouns and adjectives): enough for the translator to learn in a few seconds and for its alignments to show
    /// word-for-word structure.
    public static let tutorialCorpus: [(french: String, english: String)] = [
        ("je suis étudiant .", "i am a student ."),
        ("je suis grand .", "i am tall ."),
        ("je suis petit .", "i am small ."),
        ("je suis fatigué .", "i am tired ."),
        ("je suis content .", "i am happy ."),
        ("tu es étudiant .", "you are a student ."),
        ("tu es grand .", "you are tall ."),
        ("tu es fatigué .", "you are tired ."),
        ("il est grand .", "he is tall ."),
        ("il est petit .", "he is small ."),
        ("il est content .", "he is happy ."),
        ("il est médecin .", "he is a doctor ."),
        ("elle est grande .", "she is tall ."),
        ("elle est petite .", "she is small ."),
        ("elle est contente .", "she is happy ."),
        ("elle est médecin .", "she is a doctor ."),
        ("nous sommes étudiants .", "we are students ."),
        ("nous sommes fatigués .", "we are tired ."),
        ("nous sommes contents .", "we are happy ."),
        ("ils sont grands .", "they are tall ."),
        ("ils sont fatigués .", "they are tired ."),
        ("j'ai un chat .", "i have a cat ."),
        ("j'ai un chien .", "i have a dog ."),
        ("j'ai une voiture .", "i have a car ."),
        ("tu as un chat .", "you have a cat ."),
        ("tu as une maison .", "you have a house ."),
        ("il a un chien .", "he has a dog ."),
        ("il a une voiture .", "he has a car ."),
        ("elle a une maison .", "she has a house ."),
        ("elle a un chat .", "she has a cat ."),
        ("nous avons un chien .", "we have a dog ."),
        ("nous avons une maison .", "we have a house ."),
        ("le chat est petit .", "the cat is small ."),
        ("le chien est grand .", "the dog is big ."),
        ("la maison est grande .", "the house is big ."),
        ("la voiture est petite .", "the car is small ."),
        ("le chat dort .", "the cat sleeps ."),
        ("le chien mange .", "the dog eats ."),
        ("je mange une pomme .", "i eat an apple ."),
        ("il mange une pomme .", "he eats an apple ."),
        ("bonjour le monde .", "hello world ."),
        ("merci beaucoup .", "thank you very much .")
    ]

    /// What is wrong with a parallel corpus file.
    public enum CorpusError: Error, CustomStringConvertible, Equatable {
        /// The corpus file could not be read.
        case unreadable(path: String)
        /// A line that is not `source<TAB>target`.
        case malformedLine(path: String, line: Int, reason: String)
        /// The corpus holds no pairs.
        case empty(path: String)

        /// The message: the file and line, what was expected and what was found.
        public var description: String {
            switch self {
            case let .unreadable(path): return "\(path): cannot read the file (or it is not UTF-8)"
            case let .malformedLine(path, line, reason): return "\(path):\(line): \(reason)"
            case let .empty(path): return "\(path): no sentence pairs"
            }
        }
    }

    /// Pairs from a UTF-8 file with one `source<TAB>target` pair per line (LF, CRLF or CR line ends; blank lines
    /// and lines starting with `#` are skipped). Every other line must have exactly one tab and text on both sides.
    public static func readCorpus(path: String) throws(CorpusError) -> [(french: String, english: String)] {
        // The one line reader of the project (Text.NumberedLines): LF, CRLF and CR, pipes readable, invalid UTF-8 named.
        let lines: NumberedLines
        do { lines = try NumberedLines(contentsOf: path) } catch {
            if case let .invalidUTF8(source, line, offset) = error {
                throw .malformedLine(path: source, line: line, reason: "invalid UTF-8 at byte \(offset) of the file")
            }
            throw .unreadable(path: path)
        }
        return try corpus(lines: lines.lines.map { (number: $0.number, text: $0.text) }, source: path)
    }

    /// Pairs from numbered lines already read and decoded (`source` names the input in errors). The rules of
    /// ``readCorpus(path:)``; `number` is the line's number in the original input.
    public static func corpus(lines: [(number: Int, text: String)], source: String) throws(CorpusError) -> [(french: String, english: String)] {
        var pairs: [(french: String, english: String)] = []
        for (number, line) in lines {
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let parts = line.components(separatedBy: "\t")
            guard parts.count == 2 else {
                throw .malformedLine(path: source, line: number, reason: "expected one tab between source and target, found \(parts.count - 1)")
            }
            guard !WordVocabulary.words(in: parts[0]).isEmpty, !WordVocabulary.words(in: parts[1]).isEmpty else {
                throw .malformedLine(path: source, line: number, reason: "source and target must both have words")
            }
            pairs.append((parts[0], parts[1]))
        }
        guard !pairs.isEmpty else { throw .empty(path: source) }
        return pairs
    }

    /// A translator trained on `pairs` from `seed`: Adam with warm-up and cosine decay over `steps` full-batch
    /// steps, gradients clipped at norm 5. `progress(step, loss)` is called after every step.
    public static func train(on pairs: [(french: String, english: String)], steps: Int = 150, seed: UInt64 = 3,
                             embedding: Int = 24, hidden: Int = 48, learningRate: Double = 0.02,
                             progress: ((Int, Double) -> Void)? = nil) throws -> BahdanauTranslator {
        precondition(steps > 0 && !pairs.isEmpty, "BahdanauTranslator.train: need pairs and steps > 0")
        let french = WordVocabulary(building: pairs.map(\.french)), english = WordVocabulary(building: pairs.map(\.english))
        var rng = RandomGenerator(seed: seed)
        let model = BahdanauTranslator(sourceVocabulary: french, targetVocabulary: english, embedding: embedding, hidden: hidden, rng: &rng)
        let sources = pairs.map { french.encode($0.french) }, targets = pairs.map { english.encode($0.english) }
        let trainer = Trainer(optimizer: Adam(parameters: model.parameters, learningRate: learningRate),
                              schedule: WarmupCosineRate(peak: learningRate, warmupSteps: min(10, steps - 1), totalSteps: steps,
                                                         minimum: learningRate / 10),
                              clipNorm: 5)
        for _ in 0..<steps {
            let report = try trainer.step { model.loss(sources: sources, targets: targets) }
            progress?(report.step, report.loss)
        }
        return model
    }
}
