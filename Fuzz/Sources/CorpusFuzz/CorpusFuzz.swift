import Foundation
import FuzzSupport
import AttentionModels
import AttentionText

/// libFuzzer entry point for the translator's parallel-corpus reader (`BahdanauTranslator.readCorpus`,
/// Models/BahdanauTranslator+Corpus.swift) and the word vocabulary built from it (Text/WordVocabulary.swift).
///
/// Any input must give sentence pairs or a `CorpusError` naming the file. Beyond "no crash": every pair has words on
/// both sides; a vocabulary built from the pairs knows every word of them (no `<unk>`), gives ids below its count,
/// and decoding the ids of a sentence gives its words joined by spaces.
@_cdecl("LLVMFuzzerTestOneInput")
public func corpusFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzSupport.write(UnsafeBufferPointer(start: data, count: size), to: "corpus.tsv")
    let pairs: [(french: String, english: String)]
    do {
        pairs = try BahdanauTranslator.readCorpus(path: path)
    } catch {
        FuzzSupport.check(error.description.hasPrefix(path), "the error does not name the file: \(error)")
        return 0
    }
    FuzzSupport.check(!pairs.isEmpty, "an accepted corpus without pairs")
    let sentences = pairs.flatMap { [$0.french, $0.english] }
    let vocabulary = WordVocabulary(building: sentences)
    for sentence in sentences {
        let words = WordVocabulary.words(in: sentence)
        FuzzSupport.check(!words.isEmpty, "an accepted sentence without words: \(sentence.debugDescription)")
        let ids = vocabulary.encode(sentence, addStart: true, addEnd: true)
        FuzzSupport.check(ids.first == WordVocabulary.start && ids.last == WordVocabulary.end, "encode lost <sos> or <eos>")
        let inner = ids.dropFirst().dropLast()
        FuzzSupport.check(inner.allSatisfy { $0 > WordVocabulary.unknown && $0 < vocabulary.count }, "a corpus word is <unk> or out of range")
        FuzzSupport.check(inner.map { vocabulary.word(for: $0)! } == words, "ids do not map back to the words")
        FuzzSupport.check(vocabulary.decode(ids) == words.joined(separator: " "), "decode differs from the words")
    }
    return 0
}
