import Foundation
import Testing
import Attention
import AttentionSafeTensors
import AttentionText
import AttentionTraining
@testable import AttentionModels

/// The translation application's library side: the grammar corpus and its held-out split, padding-invariant
/// batched training and decoding for both architectures, the metrics by hand, seeded training and checkpoints.
struct TranslationTests {
    static let tutorial = BahdanauTranslator.tutorialCorpus.map { TranslationPair(source: $0.french, target: $0.english) }

    @Test("grammar corpus: seeded, distinct, disjoint splits; every test pair holds a noun–adjective pair never seen in training")
    func grammarCorpus() throws {
        let a = GrammarCorpus.generate(), b = GrammarCorpus.generate()
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.train.count == 6000 && a.test.count == 600)
        #expect(Set(a.train.map(\.french)).count == 6000 && Set(a.train.map(\.french)).isDisjoint(with: a.test.map(\.french)))
        // Read the pairs back from the words alone: noun form → noun index, adjective form → adjective index.
        var nounOf: [String: Int] = [:], adjectiveOf: [String: Int] = [:]
        for (i, n) in GrammarCorpus.nouns.enumerated() { nounOf[n.fr] = i; nounOf[n.frPlural] = i }
        for (j, adj) in GrammarCorpus.adjectives.enumerated() { for f in adj.fr { adjectiveOf[f] = j } }
        func pairs(_ e: GrammarCorpus.Example) -> [(Int, Int)] {
            let w = WordVocabulary.words(in: e.french)
            var out: [(Int, Int)] = []
            for k in w.indices {
                guard let n = nounOf[w[k]] else { continue }
                if k + 1 < w.count, let adj = adjectiveOf[w[k + 1]] { out.append((n, adj)) }   // attributive
                if let be = w[(k + 1)...].firstIndex(where: { $0 == "est" || $0 == "sont" }) {    // predicative
                    if let adj = w[be...].last(where: { adjectiveOf[$0] != nil }).flatMap({ adjectiveOf[$0] }), !w[(k + 1)..<be].contains(where: { nounOf[$0] != nil }) {
                        out.append((n, adj))
                    }
                }
            }
            return out
        }
        for e in a.train { #expect(!pairs(e).contains { GrammarCorpus.isHeldOut(noun: $0.0, adjective: $0.1) }, "\(e.french)") }
        for e in a.test { #expect(pairs(e).contains { GrammarCorpus.isHeldOut(noun: $0.0, adjective: $0.1) }, "\(e.french)") }
        // Crossings point at a French noun then its adjective, and at the same adjective then noun in English.
        var crossings = 0
        for e in a.train.prefix(500) + a.test {
            let fr = WordVocabulary.words(in: e.french), en = WordVocabulary.words(in: e.english)
            for c in e.crossings {
                crossings += 1
                let n = try #require(nounOf[fr[c.sourceNoun]]), adj = try #require(adjectiveOf[fr[c.sourceAdjective]])
                #expect(c.sourceAdjective == c.sourceNoun + 1 && c.targetNoun == c.targetAdjective + 1)
                #expect(en[c.targetAdjective] == GrammarCorpus.adjectives[adj].en)
                #expect([GrammarCorpus.nouns[n].en, GrammarCorpus.nouns[n].enPlural].contains(en[c.targetNoun]))
            }
        }
        #expect(crossings > 500)
    }

    @Test("grammar corpus by hand: agreement, negation, elision, order", arguments: [
        ("la voiture bleue", true), ("les voitures bleues", true), ("le chat noir", true), ("j'aime", true), ("n'aime pas", true),
        ("l'oiseau", true), ("cet oiseau", true), ("ce oiseau", false), ("le oiseau", false), ("la voiture bleu ", false),
        ("les chats noir ", false), ("je aime", false), ("ne aime", false),
    ])
    func grammarByHand(_ fragment: String, _ present: Bool) {
        let corpus = GrammarCorpus.generate()
        let all = (corpus.train + corpus.test).map(\.french)
        #expect(all.contains { $0.contains(fragment) } == present, "\(fragment)")
    }

    @Test("grammar corpus English side by hand")
    func englishByHand() {
        let corpus = GrammarCorpus.generate(), all = corpus.train + corpus.test
        // Each French fragment on the left always comes with the English fragment on the right.
        for (fr, en) in [("la voiture bleue ", "the blue car "), ("les voitures bleues ", "the blue cars "), ("le chien ne mange pas", "the dog does not eat"),
                         ("les chiens ne voient pas", "the dogs do not see"), ("ces souris .", "these mice ."), ("une pomme .", "an apple .")] {
            let found = all.filter { $0.french.hasPrefix(fr) || $0.french.contains(" " + fr) }
            #expect(!found.isEmpty, "\(fr)")
            for e in found { #expect(e.english.contains(en), "\(e.french) → \(e.english)") }
        }
    }

    static func models(seed: UInt64 = 3) throws -> [any Translator] {
        let fr = WordVocabulary(building: tutorial.map(\.source)), en = WordVocabulary(building: tutorial.map(\.target))
        var rng = RandomGenerator(seed: seed)
        var c = TransformerTranslator.Configuration()
        c.modelDim = 16; c.heads = 2; c.feedForward = 32; c.dropout = 0
        let t = try TransformerTranslator(configuration: c, sourceVocabulary: fr, targetVocabulary: en, seed: 1, rng: &rng)
        let b = BahdanauTranslator(sourceVocabulary: fr, targetVocabulary: en, embedding: 8, hidden: 12, rng: &rng)
        t.eval(); b.eval()
        return [b, t]
    }

    @Test("padding is masked: a batch's loss is the token-weighted mean of its sentences' losses; batched greedy = one by one")
    func paddingInvariance() throws {
        for model in try Self.models() {
            let s = [model.sourceVocabulary.encode("je suis étudiant ."), model.sourceVocabulary.encode("merci beaucoup ."),
                     model.sourceVocabulary.encode("nous avons une maison .")]
            let t = [model.targetVocabulary.encode("i am a student ."), model.targetVocabulary.encode("thank you ."),
                     model.targetVocabulary.encode("we have a house .")]
            let batch = model.loss(sources: s, targets: t, labelSmoothing: 0).doubles[0]
            let each = s.indices.map { model.loss(sources: [s[$0]], targets: [t[$0]], labelSmoothing: 0).doubles[0] * Double(t[$0].count + 1) }
            let expected = each.reduce(0, +) / Double(t.reduce(0) { $0 + $1.count + 1 })
            #expect(abs(batch - expected) <= 1e-5 * abs(expected), "\(type(of: model)): \(batch) vs \(expected)")
            let together = model.decode(s, maxLength: 8, beam: 1)
            for (i, src) in s.enumerated() {
                let alone = model.decode([src], maxLength: 8, beam: 1)[0]
                #expect(alone.ids == together[i].ids && alone.reachedEnd == together[i].reachedEnd)
                #expect(alone.alignment.count == together[i].alignment.count)
                for (x, y) in zip(alone.alignment, together[i].alignment) {
                    #expect(x.count == src.count && zip(x, y).allSatisfy { abs($0 - $1) < 1e-5 })
                    #expect(abs(x.reduce(0, +) - 1) < 1e-5)
                }
            }
        }
    }

    @Test("beam width 1 is greedy, and a wider beam's best hypothesis scores at least as high as greedy's")
    func beam() throws {
        for model in try Self.models() {
            let src = model.sourceVocabulary.encode("il a une voiture .")
            let greedy = model.decode([src], maxLength: 8, beam: 1)[0]
            #expect(model.decode([src], maxLength: 8, beam: 1)[0] == greedy)
            let wide = model.decode([src], maxLength: 8, beam: 4)[0]
            #expect(wide.alignment.count == wide.ids.count + (wide.reachedEnd ? 1 : 0))
            func logp(_ d: DecodedTranslation) -> Double {
                // Teacher-forced log-probability per token, as beam search ranks finished hypotheses.
                let n = d.ids.count + 1
                return -model.loss(sources: [src], targets: [d.ids], labelSmoothing: 0).doubles[0] * Double(n) / Double(n)
            }
            if greedy.reachedEnd && wide.reachedEnd { #expect(logp(wide) >= logp(greedy) - 1e-4, "\(type(of: model))") }
        }
    }

    /// A translator whose alignment is given: the probe arithmetic checked by hand.
    final class FixedAlignment: Module, Translator {
        let sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary
        let rows: [[Double]]
        init(_ rows: [[Double]]) {
            sourceVocabulary = WordVocabulary(building: ["la voiture bleue ."]); targetVocabulary = WordVocabulary(building: ["the blue car ."])
            self.rows = rows
        }
        func loss(sources: [[Int]], targets: [[Int]], labelSmoothing: Double) -> Tensor { Tensor.zeros([1]) }
        func decode(_ sources: [[Int]], maxLength: Int, beam: Int) -> [DecodedTranslation] {
            sources.map { _ in DecodedTranslation(ids: targetVocabulary.encode("the blue car ."), alignment: rows, reachedEnd: true) }
        }
        func teacherForcedAlignment(source: [Int], target: [Int]) -> [[Double]] { rows }
    }

    @Test("alignment probes and exact match by hand")
    func metricsByHand() {
        let e = GrammarCorpus.Example(french: "la voiture bleue .", english: "the blue car .",
                                      crossings: [.init(sourceNoun: 1, sourceAdjective: 2, targetAdjective: 1, targetNoun: 2)])
        // rows: the, blue, car, ., <eos> over la voiture bleue .
        let crossing = FixedAlignment([[1, 0, 0, 0], [0, 0.2, 0.7, 0.1], [0, 0.6, 0.4, 0], [0, 0, 0, 1], [0, 0, 0, 1]])
        #expect(TranslationEvaluation.alignmentAccuracy(crossing, examples: [e, e]) == (1.0, 2))
        let straight = FixedAlignment([[1, 0, 0, 0], [0, 0.7, 0.2, 0.1], [0, 0.6, 0.4, 0], [0, 0, 0, 1], [0, 0, 0, 1]])
        #expect(TranslationEvaluation.alignmentAccuracy(straight, examples: [e]) == (0.0, 1))
        let pairs = [TranslationPair(source: "la voiture bleue .", target: "The blue car ."),
                     TranslationPair(source: "la voiture bleue .", target: "the car ."),
                     TranslationPair(source: "la voiture bleue .", target: "the blue  car .")]   // case and spacing do not count
        #expect(TranslationEvaluation.exactMatch(crossing, pairs: pairs) == 2.0 / 3)
    }

    @Test("seeded training is bit-identical; a saved and loaded model translates exactly as before (both architectures)")
    func seededAndCheckpoint() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for architecture in TranslationArchitecture.allCases {
            var o = TranslationTrainingOptions()
            o.architecture = architecture; o.steps = 12; o.batchSize = 8; o.seed = 5
            o.transformer.modelDim = 16; o.transformer.heads = 2; o.transformer.feedForward = 32
            o.embedding = 8; o.hidden = 12
            let a = try TranslationTraining.train(on: Self.tutorial, options: o), b = try TranslationTraining.train(on: Self.tutorial, options: o)
            for ((n, p), (_, q)) in zip(a.namedParameters(), b.namedParameters()) { #expect(p.value.doubles == q.value.doubles, "\(n)") }
            let path = dir.appendingPathComponent("\(architecture).safetensors").path
            try TranslatorCheckpoint.save(a, to: path)
            let loaded = try TranslatorCheckpoint.load(from: path)
            #expect(type(of: loaded) == type(of: a) && loaded.sourceVocabulary == a.sourceVocabulary)
            let sentences = ["je suis étudiant .", "il a une voiture .", "zèbre !"]
            #expect(loaded.translations(of: sentences, beam: 1) == a.translations(of: sentences, beam: 1))
            #expect(loaded.translations(of: sentences, beam: 3) == a.translations(of: sentences, beam: 3))
        }
        // The other architecture's weights under this config: refused, naming the file and the tensors.
        let b = dir.appendingPathComponent("bahdanau.safetensors").path, t = dir.appendingPathComponent("transformer.safetensors").path
        let tf = try SafeTensorsFile(contentsOf: t), bf = try SafeTensorsFile(contentsOf: b)
        var writer = SafeTensorsWriter(metadata: tf.metadata.merging(["config": bf.metadata["config"]!]) { _, new in new })
        for name in tf.names { try writer.add(name, try tf.tensor(name, as: .float32)) }
        let swapped = dir.appendingPathComponent("swapped.safetensors").path
        try writer.write(to: swapped)
        #expect { _ = try TranslatorCheckpoint.load(from: swapped) } throws: { e in
            "\(e)".contains("swapped.safetensors") && "\(e)".contains("bahdanau") && "\(e)".contains("forwardEncoder")
        }
        // Truncated: named as unreadable.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: t))
        let cut = dir.appendingPathComponent("cut.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        #expect { _ = try TranslatorCheckpoint.load(from: cut.path) } throws: { e in "\(e)".contains("cut.safetensors") }
    }
}
