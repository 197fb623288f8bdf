import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way the package writes a user's file: whole or not at all. The bytes go to a hidden temporary sibling
/// (created exclusively, so nothing else's file is reused), are flushed with `fsync`, and the temporary is renamed
/// over the destination (atomic on POSIX file systems); then the folder is flushed, so the new name survives a power
/// cut too. On any failure the temporary is removed and the destination is untouched: a crash or a full disk leaves
/// the old file, never a truncated one.
package enum AtomicFile {
    /// Why a write failed: the destination and the system's reason.
    package struct Failure: Error, Equatable {
        package let path: String
        package let reason: String
    }

    /// Writes `chunks`, concatenated, to `path`.
    package static func write(path: String, chunks: [[UInt8]]) throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw Failure(path: path, reason: "the path names a directory, not a file") }
        let folder = directory.isEmpty ? "/" : directory
        let temp = folder + "/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw Failure(path: path, reason: "cannot create \(temp): \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        for chunk in chunks {
            var done = 0
            while done < chunk.count {
                let n = chunk.withUnsafeBytes { Glue.write(fd, $0.baseAddress! + done, chunk.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = errnoText()
                    close(fd)
                    throw Failure(path: path, reason: reason)
                }
                done += n
            }
        }
        // Flush to disk before the rename publishes the name, or a power cut could publish an empty file.
        if fsync(fd) != 0 {
            let reason = errnoText()
            close(fd)
            throw Failure(path: path, reason: "fsync: \(reason)")
        }
        if close(fd) != 0 { throw Failure(path: path, reason: "close: \(errnoText())") }
        if rename(temp, path) != 0 { throw Failure(path: path, reason: "rename: \(errnoText())") }
        ok = true
        // The rename lives in the folder's entries: flush them too (best effort; some file systems refuse it).
        let dirFD = open(folder, O_RDONLY)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Writes `bytes` to the file at `url` (a file URL).
    package static func write(_ bytes: [UInt8], to url: URL) throws(Failure) {
        try write(path: url.path, chunks: [bytes])
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// The C `write`, named apart from the Swift method names it would otherwise shadow.
private enum Glue {
    static func write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.write(fd, p, n)
        #elseif canImport(Glibc)
        return Glibc.write(fd, p, n)
        #else
        return Musl.write(fd, p, n)
        #endif
    }
}
