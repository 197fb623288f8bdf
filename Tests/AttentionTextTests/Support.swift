import Foundation
@testable import AttentionText

/// The all-MiniLM-L6-v2 model folder for the tests that need its vocabulary: `ATTENTION_MINILM_DIR`, else the cache
/// folder of Scripts/fetch-minilm.sh, which is run (once per test process) when the folder is missing.
enum MiniLM {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The folder, or the reason there is none.
    static let directory: Result<String, LocatorError> = locate()

    struct LocatorError: Error, CustomStringConvertible {
        let description: String
    }

    static func hasVocabulary(_ dir: String) -> Bool {
        FileManager.default.fileExists(atPath: dir + "/vocab.txt") && FileManager.default.fileExists(atPath: dir + "/tokenizer.json")
    }

    private static func locate() -> Result<String, LocatorError> {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ATTENTION_MINILM_DIR"] {
            return hasVocabulary(dir) ? .success(dir)
                : .failure(LocatorError(description: "ATTENTION_MINILM_DIR=\(dir) has no vocab.txt / tokenizer.json"))
        }
        let cache = (env["ATTENTION_CACHE"] ?? NSHomeDirectory() + "/.cache/attention") + "/all-MiniLM-L6-v2"
        if hasVocabulary(cache) { return .success(cache) }
        // Not cached yet: download it the way CI does.
        let script = repositoryRoot.appendingPathComponent("Scripts/fetch-minilm.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            return .failure(LocatorError(description: "cannot run \(script): \(error)"))
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let dir = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, hasVocabulary(dir) else {
            return .failure(LocatorError(description: "\(script) failed (status \(process.terminationStatus)): "
                                         + String(decoding: stderr, as: UTF8.self)))
        }
        return .success(dir)
    }
}

enum Fixtures {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    /// A scratch directory unique to one test.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("text-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

extension String {
    /// Code points as hex, for readable failure messages about invisible characters.
    var scalarsDescription: String { unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") }
}
