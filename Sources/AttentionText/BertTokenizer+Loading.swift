import AttentionSupport
import Foundation

/// Loading a tokenizer from a Hugging Face / sentence-transformers model folder.
extension BertTokenizer {
    /// Reads the tokenizer of a model folder.
    ///
    /// With `.fast` compatibility `tokenizer.json` is preferred (vocabulary, normaliser flags, WordPiece settings and
    /// added tokens all come from it), with `.python` `vocab.txt` plus `tokenizer_config.json`; either falls back to the
    /// other file. `sentence_bert_config.json` (`max_seq_length`) or `tokenizer_config.json` (`model_max_length`) set
    /// ``maxLength``.
    ///
    /// ```swift
    /// let tokenizer = try BertTokenizer(modelDirectory: "/root/.cache/attention/all-MiniLM-L6-v2")
    /// print(tokenizer.maxLength, tokenizer.vocabulary.count)   // 256 30522
    /// ```
    public init(modelDirectory: String, compatibility: Compatibility = .fast) throws(TokenizerError) {
        let folder = ModelFolder(path: modelDirectory), dir = folder.path
        let fm = FileManager.default
        let vocabPath = folder.vocabulary, jsonPath = folder.tokenizer
        let hasVocab = fm.fileExists(atPath: vocabPath), hasJSON = fm.fileExists(atPath: jsonPath)
        let config = try Self.readJSONIfPresent(folder.tokenizerConfig)
        let sentenceConfig = try Self.readJSONIfPresent(folder.sentenceConfig)
        let maxLength = sentenceConfig?["max_seq_length"]?.int ?? config?["model_max_length"]?.int.flatMap { $0 > 100_000 ? nil : $0 } ?? 512
        // From a file: refused by a thrown error, where the same limit passed in code stops at encode's precondition.
        if maxLength < 2 {
            let (file, field) = sentenceConfig?["max_seq_length"]?.int != nil ? (folder.sentenceConfig, "max_seq_length")
                : (folder.tokenizerConfig, "model_max_length")
            throw .invalidField(file: file, field: field, expected: "an integer ≥ 2 (room for [CLS] and [SEP]), found \(maxLength)")
        }

        let useJSON: Bool
        switch compatibility {
        case .fast: useJSON = hasJSON
        case .python: useJSON = hasJSON && !hasVocab
        }
        if useJSON {
            try self.init(tokenizerJSON: jsonPath, compatibility: compatibility, maxLength: maxLength)
        } else if hasVocab {
            try self.init(vocabularyFile: vocabPath, config: config, configPath: folder.tokenizerConfig,
                          compatibility: compatibility, maxLength: maxLength)
        } else {
            var isDirectory: ObjCBool = false
            if !fm.fileExists(atPath: dir, isDirectory: &isDirectory) { throw .fileNotFound(file: dir) }
            throw .noVocabulary(directory: dir)
        }
    }

    /// Same as ``init(modelDirectory:compatibility:)`` (the spelling the model loaders use).
    public init(directory: String, compatibility: Compatibility = .fast) throws(TokenizerError) {
        try self.init(modelDirectory: directory, compatibility: compatibility)
    }

    /// A tokenizer from a `vocab.txt` and the flags of a `tokenizer_config.json` (nil: BERT-uncased defaults).
    init(vocabularyFile: String, config: JSONValue?, configPath: String, compatibility: Compatibility, maxLength: Int) throws(TokenizerError) {
        let vocabulary = try Vocabulary(contentsOf: vocabularyFile)
        func flag(_ key: String) throws(TokenizerError) -> Bool? {
            guard let v = config?[key], !v.isNull else { return nil }
            guard let b = v.bool else { throw .invalidField(file: configPath, field: key, expected: "true, false or null") }
            return b
        }
        // Special tokens appear as plain strings or, in newer files, as {"content": "[UNK]", ...} objects.
        func token(_ key: String, _ fallback: String) -> String {
            guard let v = config?[key] else { return fallback }
            return v.string ?? v["content"]?.string ?? fallback
        }
        var special = SpecialTokens()
        special.unknown = token("unk_token", special.unknown)
        special.classifier = token("cls_token", special.classifier)
        special.separator = token("sep_token", special.separator)
        special.padding = token("pad_token", special.padding)
        special.mask = token("mask_token", special.mask)
        let lowercase = try flag("do_lower_case") ?? true
        let basic = BasicTokenizer(lowercase: lowercase, stripAccents: try flag("strip_accents"),
                                   tokenizeChineseCharacters: try flag("tokenize_chinese_chars") ?? true,
                                   compatibility: compatibility)
        try self.init(vocabulary: vocabulary, basic: basic, specialTokens: special, maxLength: maxLength, source: vocabularyFile)
    }

    /// A tokenizer from a `tokenizer.json` (Hugging Face `tokenizers` format) with a WordPiece model and a
    /// BertNormalizer.
    init(tokenizerJSON path: String, compatibility: Compatibility, maxLength: Int) throws(TokenizerError) {
        guard let json = try Self.readJSONIfPresent(path) else { throw .fileNotFound(file: path) }
        guard let model = json["model"], case .object = model else {
            throw .invalidField(file: path, field: "model", expected: "an object")
        }
        let type = model["type"]?.string ?? "WordPiece"
        guard type == "WordPiece" else { throw .unsupported(file: path, what: "model type \(type), expected WordPiece") }
        guard case .object(let entries)? = model["vocab"] else {
            throw .invalidField(file: path, field: "model.vocab", expected: "an object of token → id")
        }
        guard !entries.isEmpty else { throw .emptyVocabulary(file: path) }
        var pairs: [(String, Int)] = []
        var seen = Set<Int>()
        for (token, value) in entries {
            // Ids index an array: a hostile file must not make us allocate terabytes.
            guard let id = value.int, id >= 0, id < 1 << 24 else {
                throw .malformedVocabulary(file: path, reason: "token '\(token)' has id \(value), expected an integer in 0..<16777216")
            }
            guard seen.insert(id).inserted else { throw .malformedVocabulary(file: path, reason: "id \(id) is given to two tokens") }
            pairs.append((token, id))
        }
        let vocabulary = Vocabulary(pairs: pairs)

        var lowercase = true, stripAccents: Bool?, chinese = true, clean = true
        if let normalizer = json["normalizer"], !normalizer.isNull {
            let kind = normalizer["type"]?.string ?? "?"
            guard kind == "BertNormalizer" else { throw .unsupported(file: path, what: "normalizer \(kind), expected BertNormalizer") }
            lowercase = normalizer["lowercase"]?.bool ?? true
            stripAccents = normalizer["strip_accents"]?.bool
            chinese = normalizer["handle_chinese_chars"]?.bool ?? true
            clean = normalizer["clean_text"]?.bool ?? true
        }
        if let pre = json["pre_tokenizer"], !pre.isNull, let kind = pre["type"]?.string, kind != "BertPreTokenizer" {
            throw .unsupported(file: path, what: "pre-tokenizer \(kind), expected BertPreTokenizer")
        }
        var special = SpecialTokens()
        if let unk = model["unk_token"]?.string { special.unknown = unk }
        var added: [String] = []
        if case .array(let tokens)? = json["added_tokens"] {
            for t in tokens {
                guard let content = t["content"]?.string else { continue }
                added.append(content)
                if t["special"]?.bool == true {
                    // Name the roles by their usual spelling; a renamed special token keeps the default role mapping.
                    if content == "[PAD]" || content == "<pad>" { special.padding = content }
                    if content == "[MASK]" || content == "<mask>" { special.mask = content }
                }
            }
        }
        if let post = json["post_processor"], let cls = Self.specialToken(post, "cls"), let sep = Self.specialToken(post, "sep") {
            special.classifier = cls
            special.separator = sep
        }
        let basic = BasicTokenizer(lowercase: lowercase, stripAccents: stripAccents, tokenizeChineseCharacters: chinese,
                                   cleanText: clean, compatibility: compatibility)
        try self.init(vocabulary: vocabulary, basic: basic, specialTokens: special, addedTokens: added,
                      maxInputCharsPerWord: model["max_input_chars_per_word"]?.int ?? 100,
                      continuingSubwordPrefix: model["continuing_subword_prefix"]?.string ?? "##",
                      maxLength: maxLength, source: path)
    }

    /// `[CLS]` / `[SEP]` from a BertProcessing (`"cls": ["[CLS]", 101]`) or TemplateProcessing (`single` template) post-processor.
    private static func specialToken(_ post: JSONValue, _ role: String) -> String? {
        if case .array(let pair)? = post[role], let s = pair.first?.string { return s }
        guard case .array(let single)? = post["single"] else { return nil }
        let specials = single.compactMap { $0["SpecialToken"]?["id"]?.string }
        guard specials.count == 2 else { return nil }
        return role == "cls" ? specials[0] : specials[1]
    }

    static func readJSONIfPresent(_ path: String) throws(TokenizerError) -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try TokenizerFiles.read(path)
        if bytes.starts(with: Array("version https://git-lfs.github.com/spec/".utf8)) { throw .gitLFSPointer(file: path) }
        do {
            return try StrictJSONParser.parseConfiguration(bytes)
        } catch {
            throw .malformedJSON(file: path, byteOffset: error.offset, reason: error.reason)
        }
    }
}
