import Attention
import Foundation
import AttentionSafeTensors
import AttentionText

/// What can go wrong loading a pretrained model folder. Messages name the file and what was expected and found.
public enum ModelLoadError: Error, CustomStringConvertible, Equatable {
    /// The model folder lacks a file it needs (`expected` names it).
    case missingFile(path: String, expected: String)
    /// `config.json` could not be parsed or holds an impossible value.
    case invalidConfig(path: String, reason: String)
    /// The folder asks for something this loader does not support (an activation, a pooling mode, …).
    case unsupported(path: String, what: String)
    /// The weights file lacks a tensor the model needs.
    case missingTensor(file: String, name: String)
    /// A tensor of the weights file has the wrong shape for the configuration.
    case tensorShape(file: String, name: String, expected: [Int], found: [Int])
    /// The weights file is not valid safetensors.
    case safeTensors(SafeTensorsError)
    /// The tokenizer files of the folder at `path` could not be read; `reason` is the tokenizer's own message (it names
    /// the file).
    case tokenizer(path: String, reason: String)

    /// The message, naming the folder or file and what was wrong.
    public var description: String {
        switch self {
        case let .missingFile(path, expected): return "\(path): missing (\(expected))"
        case let .invalidConfig(path, reason): return "\(path): invalid model configuration: \(reason)"
        case let .unsupported(path, what): return "\(path): unsupported: \(what)"
        case let .missingTensor(file, name): return "\(file): tensor \(name) is missing"
        case let .tensorShape(file, name, expected, found): return "\(file): tensor \(name) has shape \(found), expected \(expected)"
        case let .safeTensors(e): return e.description
        // `reason` is a tokenizer message, which already starts with the file or folder it is about.
        case let .tokenizer(_, reason): return reason
        }
    }
}

extension BertConfig {
    /// Reads a Hugging Face `config.json`.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelLoadError.missingFile(path: url.path, expected: "the model's \(ModelFolder.configName)")
        }
        do { self = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
            throw ModelLoadError.invalidConfig(path: url.path, reason: Self.describe(error))
        }
        let ok = vocabSize > 0 && hiddenSize > 0 && numHiddenLayers >= 0 && numAttentionHeads > 0 && intermediateSize > 0
            && maxPositionEmbeddings > 0 && typeVocabSize > 0 && hiddenSize % numAttentionHeads == 0
        guard ok else {
            throw ModelLoadError.invalidConfig(path: url.path, reason: "sizes must be positive and hidden_size (\(hiddenSize)) a multiple of num_attention_heads (\(numAttentionHeads))")
        }
        // Upper bounds far above any BERT, so that a hostile file cannot make the loader build a billion layers or
        // overflow a shape before the weights are even opened.
        let limits: [(String, Int, Int)] = [("vocab_size", vocabSize, 1 << 24), ("hidden_size", hiddenSize, 1 << 16),
                                            ("num_hidden_layers", numHiddenLayers, 1024), ("intermediate_size", intermediateSize, 1 << 20),
                                            ("max_position_embeddings", maxPositionEmbeddings, 1 << 20), ("type_vocab_size", typeVocabSize, 1 << 16)]
        if let (key, value, limit) = limits.first(where: { $0.1 > $0.2 }) {
            throw ModelLoadError.invalidConfig(path: url.path, reason: "\(key) is \(value), expected at most \(limit)")
        }
        // LayerNorm divides by √(variance + eps): eps ≤ 0 turns a constant row into NaN.
        guard layerNormEps > 0 && layerNormEps <= 1 else {
            throw ModelLoadError.invalidConfig(path: url.path, reason: "layer_norm_eps is \(layerNormEps), expected a number in (0, 1]")
        }
        guard activation != nil else { throw ModelLoadError.unsupported(path: url.path, what: "hidden_act \"\(hiddenAct)\"") }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "key \"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
        default: return "\(error)"
        }
    }
}

extension BertModel {
    /// Loads `config.json` and `model.safetensors` from a Hugging Face / sentence-transformers model folder
    /// (the names and places are ``ModelFolder``'s).
    public static func load(directory: URL) throws -> BertModel {
        let folder = ModelFolder(directory)
        let config = try BertConfig(contentsOf: URL(fileURLWithPath: folder.config))
        let weights = URL(fileURLWithPath: folder.weights)
        guard FileManager.default.fileExists(atPath: weights.path) else {
            let hint = FileManager.default.fileExists(atPath: folder.pickleWeights)
                ? "only \(ModelFolder.pickleWeightsName) (a pickle) is present; convert it to safetensors" : "the weights in safetensors format"
            throw ModelLoadError.missingFile(path: weights.path, expected: hint)
        }
        let model = BertModel.placeholder(config: config)
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: weights) } catch { throw ModelLoadError.safeTensors(error) }
        try model.load(huggingFace: file)
        return model
    }

    /// Copies every parameter from a checkpoint with Hugging Face BERT names (with or without a `bert.` prefix),
    /// reading the names through ``pyTorchKeyMap``. Checks every name and shape before changing anything. Extra
    /// tensors (pooler, position_ids) are ignored.
    public func load(huggingFace file: SafeTensorsFile) throws {
        let parameters = Dictionary(uniqueKeysWithValues: namedParameters())
        var values: [String: Tensor] = [:]
        for entry in pyTorchKeyMap.entries {
            guard case let .rename(name, path) = entry, let parameter = parameters[path] else {
                preconditionFailure("BERT's key map entry \(entry) does not rename a checkpoint tensor to a parameter")
            }
            let stored = file.contains(name) ? name : "bert." + name
            guard file.contains(stored) else { throw ModelLoadError.missingTensor(file: file.path, name: name) }
            let info: SafeTensorsFile.TensorInfo
            do { info = try file.info(stored) } catch { throw ModelLoadError.safeTensors(error) }
            guard info.shape == parameter.value.shape else {
                throw ModelLoadError.tensorShape(file: file.path, name: stored, expected: parameter.value.shape, found: info.shape)
            }
            guard info.dtype.isFloatingPoint else {
                throw ModelLoadError.unsupported(path: file.path, what: "tensor \(stored) has dtype \(info.dtype), expected a floating-point type")
            }
            do { values[path] = try file.tensor(stored, as: .float32) } catch { throw ModelLoadError.safeTensors(error) }
        }
        // Strict: a parameter the map does not name is a missing entry in BertKeyMap, and throws here.
        try load(stateDict: values)
    }
}
