import Foundation

/// What the harnesses share: a scratch folder for parsers that read files, and a property check that names what broke.
public enum FuzzSupport {
    /// A private folder for this process (in /dev/shm when it exists, so writing an input per run stays cheap).
    public static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/attention-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Writes `bytes` to `name` inside the scratch folder and returns its path.
    @discardableResult
    public static func write(_ bytes: UnsafeBufferPointer<UInt8>, to name: String) -> String {
        write(Data(buffer: bytes), to: name)
    }

    @discardableResult
    public static func write(_ data: Data, to name: String) -> String {
        let path = scratch + "/" + name
        try! data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Removes `name` from the scratch folder when present.
    public static func remove(_ name: String) {
        try? FileManager.default.removeItem(atPath: scratch + "/" + name)
    }

    /// A property of the parser under test; a violation is a bug, reported as a crash with `message`.
    public static func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
        if !condition { fatalError("property violated: \(message())", file: file, line: line) }
    }
}
