import Foundation
import AttentionLayers
import AttentionSafeTensors
import AttentionTensorCore

/// An application checkpoint: one safetensors file with the weights of a model under their parameter paths and, in
/// `__metadata__`, what rebuilds the model — the task it is for, its configuration and its vocabulary or labels
/// (each a JSON string).
///
///     __metadata__: {"attention.checkpoint": "1", "attention.task": "classify", "config": "{…}", "labels": "[…]", …}
///
/// ``write(_:task:metadata:to:)`` writes atomically (a temporary file and a rename), so a failed run never leaves a
/// half-written file or damages an existing one. ``open(path:task:)`` refuses a file that is not a checkpoint, or is
/// one of another task, with an error that names the file and what it found.
public enum Checkpoint {
    /// The metadata keys of the format version and the task, and the version written.
    public static let versionKey = "attention.checkpoint", taskKey = "attention.task", version = "1"

    /// Writes `module`'s parameters (by their names) and `metadata` plus the version and `task` keys, atomically.
    /// - Throws: `CheckpointError.unwritable` naming the path.
    public static func write(_ module: Module, task: String, metadata: [String: String], to path: String) throws(CheckpointError) {
        var writer = SafeTensorsWriter(metadata: metadata.merging([versionKey: version, taskKey: task]) { _, new in new })
        do {
            for (name, parameter) in module.namedParameters() { try writer.add(name, parameter.value.cast(to: .float32)) }
            try writer.write(to: path)
        } catch { throw .unwritable(path: path, reason: error.description) }
    }

    /// The opened file and its metadata, after checking that it is a checkpoint of `task`.
    public static func open(path: String, task: String) throws(CheckpointError) -> SafeTensorsFile {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: path) } catch { throw .unreadable(path: path, reason: error.description) }
        guard let found = file.metadata[versionKey] else { throw .notACheckpoint(path: path) }
        guard found == version else { throw .unsupportedVersion(path: path, found: found) }
        let kind = file.metadata[taskKey] ?? "(none)"
        guard kind == task else { throw .wrongTask(path: path, expected: task, found: kind) }
        return file
    }

    /// A metadata entry decoded from JSON.
    public static func decode<T: Decodable>(_ type: T.Type, _ key: String, in file: SafeTensorsFile, path: String) throws(CheckpointError) -> T {
        guard let text = file.metadata[key] else { throw .missingMetadata(path: path, key: key) }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw .badMetadata(path: path, key: key, reason: "\(error)")
        }
    }

    /// A value as the JSON string a metadata entry holds (keys sorted, so files are reproducible).
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Loads every parameter of `module` from the file (all must be there with their shapes, nothing else).
    public static func load(_ module: Module, from file: SafeTensorsFile, path: String) throws(CheckpointError) {
        var tensors: [String: Tensor] = [:]
        do {
            for name in file.names { tensors[name] = try file.tensor(name, as: .float32) }
            try module.load(stateDict: tensors)
        } catch let error as ModuleLoadError {
            throw .weights(path: path, reason: error.description)
        } catch {
            throw .weights(path: path, reason: "\(error)")
        }
        for (name, p) in module.namedParameters() where p.value.doubles.contains(where: { !$0.isFinite }) {
            throw .weights(path: path, reason: "tensor \(name) holds NaN or infinity")
        }
    }
}

/// Why a checkpoint could not be written or read.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint could not be written (nothing was left at `path`).
    case unwritable(path: String, reason: String)
    /// The file could not be read or is not valid safetensors.
    case unreadable(path: String, reason: String)
    /// A safetensors file without the checkpoint keys in its metadata.
    case notACheckpoint(path: String)
    /// A checkpoint of a format version this build does not read.
    case unsupportedVersion(path: String, found: String)
    /// A checkpoint of another task (e.g. a classifier given to `lm`).
    case wrongTask(path: String, expected: String, found: String)
    /// A metadata key the task needs is absent.
    case missingMetadata(path: String, key: String)
    /// A metadata value that does not decode (`reason` says why).
    case badMetadata(path: String, key: String, reason: String)
    /// The tensors do not fit the model the configuration builds.
    case weights(path: String, reason: String)

    /// The message, naming the file and what was expected and found.
    public var description: String {
        switch self {
        case let .unwritable(p, r): return "cannot write the checkpoint \(p): \(r)"
        case let .unreadable(p, r): return "\(p): not a readable checkpoint: \(r)"
        case .notACheckpoint(let p): return "\(p): a safetensors file but not an attention checkpoint (no \"\(Checkpoint.versionKey)\" in its metadata)"
        case let .unsupportedVersion(p, f): return "\(p): checkpoint version \(f), this build reads version \(Checkpoint.version)"
        case let .wrongTask(p, e, f): return "\(p): a checkpoint of task \"\(f)\", expected \"\(e)\""
        case let .missingMetadata(p, k): return "\(p): the checkpoint metadata has no \"\(k)\""
        case let .badMetadata(p, k, r): return "\(p): the checkpoint metadata \"\(k)\" is not valid: \(r)"
        case let .weights(p, r): return "\(p): \(r)"
        }
    }
}
