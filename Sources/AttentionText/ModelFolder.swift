import Foundation

/// The layout of a Hugging Face / sentence-transformers model folder: the one place that knows its file names.
/// The loaders (`BertConfig`, `BertModel.load(directory:)`, `BertTokenizer(modelDirectory:)`, `SentenceEmbedder`)
/// and the CLI ask it for paths instead of spelling the names themselves.
///
/// ```
/// all-MiniLM-L6-v2/
///   config.json                 the encoder's sizes                       required
///   model.safetensors           the weights (pytorch_model.bin: refused)  required
///   vocab.txt, tokenizer.json   the WordPiece vocabulary                  one of the two
///   tokenizer_config.json       tokenizer flags, model_max_length         optional
///   sentence_bert_config.json   max_seq_length                            optional
///   modules.json                the sentence-transformers pipeline        optional
///   1_Pooling/config.json       the pooling mode (folder from modules.json)  optional
/// ```
///
/// ```swift
/// let folder = ModelFolder(path: "all-MiniLM-L6-v2/")
/// print(folder.config)   // all-MiniLM-L6-v2/config.json
/// ```
public struct ModelFolder: Sendable, Equatable {
    /// The encoder's configuration (`BertConfig`).
    public static let configName = "config.json"
    /// The weights in safetensors format.
    public static let weightsName = "model.safetensors"
    /// The weights as a PyTorch pickle, which is not read (its presence makes the missing-weights message a hint).
    public static let pickleWeightsName = "pytorch_model.bin"
    /// The WordPiece vocabulary, one token per line.
    public static let vocabularyName = "vocab.txt"
    /// The `tokenizers` library's description of the tokenizer (vocabulary included).
    public static let tokenizerName = "tokenizer.json"
    /// The tokenizer's flags and `model_max_length`.
    public static let tokenizerConfigName = "tokenizer_config.json"
    /// sentence-transformers' `max_seq_length`.
    public static let sentenceConfigName = "sentence_bert_config.json"
    /// sentence-transformers' list of pipeline modules (Transformer, Pooling, Normalize).
    public static let modulesName = "modules.json"
    /// The Pooling module's folder when `modules.json` does not name one.
    public static let defaultPoolingFolder = "1_Pooling"

    /// The folder, without a trailing `/` (so every file path is `path + "/" + name`).
    public let path: String

    /// The folder at `path` (a trailing `/` is dropped).
    public init(path: String) { self.path = path.hasSuffix("/") ? String(path.dropLast()) : path }

    /// The folder at the file URL `url`.
    public init(_ url: URL) { self.init(path: url.path) }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    /// `config.json`.
    public var config: String { file(Self.configName) }
    /// `model.safetensors`.
    public var weights: String { file(Self.weightsName) }
    /// `pytorch_model.bin`.
    public var pickleWeights: String { file(Self.pickleWeightsName) }
    /// `vocab.txt`.
    public var vocabulary: String { file(Self.vocabularyName) }
    /// `tokenizer.json`.
    public var tokenizer: String { file(Self.tokenizerName) }
    /// `tokenizer_config.json`.
    public var tokenizerConfig: String { file(Self.tokenizerConfigName) }
    /// `sentence_bert_config.json`.
    public var sentenceConfig: String { file(Self.sentenceConfigName) }
    /// `modules.json`.
    public var modules: String { file(Self.modulesName) }

    /// The Pooling module's `config.json`, in the folder `modules.json` names (nil: `1_Pooling`). Joined as file URL
    /// components, so a listed folder such as `1_Pooling/` or `./1_Pooling` resolves as sentence-transformers does.
    public func poolingConfig(moduleFolder: String?) -> String {
        URL(fileURLWithPath: path).appendingPathComponent(moduleFolder ?? Self.defaultPoolingFolder)
            .appendingPathComponent(Self.configName).path
    }
}
