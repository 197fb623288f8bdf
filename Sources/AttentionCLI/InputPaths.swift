import ArgumentParser
import Foundation

/// Checks of the paths and numbers given on the command line, made before any work starts so that a mistake costs
/// nothing (no training before "the folder does not exist").
enum InputPaths {
    /// `path` exists and is a file (or a pipe, a device): .noInput otherwise, saying what it is instead.
    static func checkFile(_ path: String, option: String) throws(CLIError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .noInput("\(option) \(path): no such file")
        }
        if isDirectory.boolValue { throw .noInput("\(option) \(path): is a folder, not a file") }
    }

    /// `path` exists and is a folder.
    static func checkFolder(_ path: String, option: String) throws(CLIError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .noInput("\(option) \(path): no such folder")
        }
        if !isDirectory.boolValue { throw .noInput("\(option) \(path): is a file, not a folder") }
    }

    /// `path` can be written as a new file: its folder exists, and `path` is absent or a regular file (outputs are
    /// written atomically, by a rename over `path`, which would replace a device such as /dev/full or a pipe).
    static func checkOutput(_ path: String, option: String) throws(CLIError) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw .io("\(option) \(path): is a folder; give a file name") }
            var info = stat()
            if stat(url.path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
                throw .io("\(option) \(path): exists and is not a regular file (a device or a pipe); it is never replaced")
            }
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw .io("\(option) \(path): the folder \(folder) does not exist")
        }
        if !isDirectory.boolValue { throw .io("\(option) \(path): \(folder) is a file, not a folder") }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .io("\(option) \(path): the folder \(folder) is not writable")
        }
    }

    /// The system's reason in an error from Foundation ("No such file or directory").
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

/// Upper and lower bounds of the numeric options, with messages that state the limit.
enum Bounds {
    /// Each `(option, value, range)` must hold; a usage error names the first that does not.
    static func check(_ items: [(String, Int, ClosedRange<Int>)]) throws {
        for (name, value, range) in items where !range.contains(value) {
            throw ValidationError("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    /// Refuses a run whose estimated memory exceeds most of the machine's: the figure instead of an abort mid-way.
    /// `floats` counts 4-byte values (in Double: bounded options cannot overflow it).
    static func checkMemory(floats: Double, what: String) throws {
        let bytes = floats * 4, available = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= available * 0.8 else {
            let gib = { (x: Double) in String(format: "%.1f", x / 1_073_741_824) }
            throw ValidationError("\(what) needs about \(gib(bytes)) GiB of memory; this machine has \(gib(available)) GiB (the limit is 80 %)")
        }
    }
}
