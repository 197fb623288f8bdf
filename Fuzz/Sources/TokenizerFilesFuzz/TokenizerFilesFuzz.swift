import Foundation
import FuzzSupport
import AttentionText

/// libFuzzer entry point for loading a tokenizer from a model folder (Text/BertTokenizer+Loading.swift,
/// Text/Vocabulary.swift). The first byte picks which file of the folder the rest of the input becomes — `tokenizer.json`,
/// `vocab.txt`, `tokenizer_config.json` or `sentence_bert_config.json`, the others being a small valid `vocab.txt` —
/// and the compatibility mode (`.fast` or `.python`).
///
/// Any input must give a tokenizer or a `TokenizerError` whose message names a file of the folder. Beyond "no crash":
/// a loaded tokenizer encodes a fixed sentence (and one made of its own vocabulary) within its limit, with [CLS]
/// first, [SEP] last and every id in its vocabulary.
@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerFilesFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let names = ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"]
    let fuzzed = names[Int(selector & 3)]
    let folder = Folder.path
    for name in names { FuzzSupport.remove("model/" + name) }
    if fuzzed != "vocab.txt" && fuzzed != "tokenizer.json" { FuzzSupport.write(Data(Folder.vocabulary), to: "model/vocab.txt") }
    FuzzSupport.write(body, to: "model/" + fuzzed)
    let compatibility: Compatibility = selector & 4 == 0 ? .fast : .python311

    let tokenizer: BertTokenizer
    do {
        tokenizer = try BertTokenizer(modelDirectory: folder, compatibility: compatibility)
    } catch {
        FuzzSupport.check(error.description.hasPrefix(folder), "the error does not name the file: \(error)")
        return 0
    }
    let vocabulary = tokenizer.vocabulary
    let ownWords = vocabulary.tokens.prefix(50).compactMap { $0 }.joined(separator: " ")
    for text in ["Hello, world! [MASK] café 中文 ΟΔΟΣ", ownWords] {
        let ids = tokenizer.encode(text)
        FuzzSupport.check(ids.count >= 2 && ids.count <= tokenizer.maxLength, "\(ids.count) ids for maxLength \(tokenizer.maxLength)")
        FuzzSupport.check(ids.allSatisfy { vocabulary.token(for: $0) != nil }, "an id outside the vocabulary")
        FuzzSupport.check(vocabulary.token(for: ids.first!) == tokenizer.specialTokens.classifier, "[CLS] is not first")
        FuzzSupport.check(vocabulary.token(for: ids.last!) == tokenizer.specialTokens.separator, "[SEP] is not last")
    }
    return 0
}

enum Folder {
    static let path: String = {
        let p = FuzzSupport.scratch + "/model"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }()
    // An array, not a `Data`: LeakSanitizer cannot see a global `Data`'s buffer and would report it as leaked.
    static let vocabulary = Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n,\nworld\n!\nca\n##f\n##é\n中\n文\nο\n##δ\n##ο\n##σ\n".utf8)
}
