import Foundation
import Testing

/// `Scripts/fetch-minilm.sh DIR` must never delete or replace what a user already has at DIR (issue 15, item 1).
/// Both refusals happen before any download, so these tests need no network.
@Suite struct FetchScriptTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/fetch-minilm.sh")

    func runScript(_ destination: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", Self.script.path, destination]
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aFolderThatIsNotAModelFolderIsLeftAlone() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: folder.appendingPathComponent("holiday.txt"))
        let (status, stderr) = try runScript(folder.path)
        #expect(status == 1)
        #expect(stderr.contains("not empty and not a complete model folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["holiday.txt"])
        #expect(try Data(contentsOf: folder.appendingPathComponent("holiday.txt")) == Data("precious".utf8))
    }

    @Test func anExistingFileIsNotReplacedByAFolder() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("notes.txt")
        try Data("keep me".utf8).write(to: file)
        let (status, stderr) = try runScript(file.path)
        #expect(status == 1)
        #expect(stderr.contains("exists and is not a folder"))
        var isDirectory: ObjCBool = true
        #expect(FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) && !isDirectory.boolValue)
        #expect(try Data(contentsOf: file) == Data("keep me".utf8))
    }

    @Test func aCompleteModelFolderIsAcceptedAsItIs() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["model.safetensors", "vocab.txt", "config.json"] {
            try Data("x".utf8).write(to: root.appendingPathComponent(name))
        }
        let (status, _) = try runScript(root.path)
        #expect(status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["config.json", "model.safetensors", "vocab.txt"])
    }
}
