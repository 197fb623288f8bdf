import Foundation
@testable import AttentionSafeTensors

/// Paths of the committed fixtures (written by Scripts/make_safetensors_fixtures.py and Scripts/make_bad_safetensors.py).
enum Fixtures {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static func good(_ name: String) -> String { directory.appendingPathComponent("good/\(name)").path }
    static func bad(_ name: String) -> String { directory.appendingPathComponent("bad/\(name)").path }

    /// A scratch directory unique to one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Builds a safetensors file from a raw header string and data bytes, like the Python corpus script does.
func safetensorsBytes(header: String, data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
    var h = Array(header.utf8)
    if pad { h += Array(repeating: UInt8(ascii: " "), count: (8 - h.count % 8) % 8) }
    var out = withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) }
    out += h
    out += data
    return out
}

/// Runs `body` and returns the SafeTensorsError it throws, or nil.
func safeTensorsError(_ body: () throws -> Void) -> SafeTensorsError? {
    do {
        try body()
        return nil
    } catch let error as SafeTensorsError {
        return error
    } catch {
        return nil
    }
}

/// The enum case name of an error ("dataGap" for `.dataGap(...)`), to assert the case without spelling every payload.
func caseName(_ error: SafeTensorsError?) -> String {
    guard let error else { return "no error" }
    let mirror = Mirror(reflecting: error)
    return mirror.children.first?.label ?? "\(error)"
}
