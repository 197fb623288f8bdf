#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file through a temporary sibling and `rename(2)`, which replaces the destination atomically on POSIX file
/// systems: a crash or a full disk leaves either the old file or no change, never a truncated checkpoint.
enum AtomicFile {
    static func write(path: String, chunks: [[UInt8]]) throws(SafeTensorsError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw .writeFailed(file: path, reason: "the path names a directory, not a file") }
        let temp = (directory.isEmpty ? "" : directory + "/") + ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw .writeFailed(file: path, reason: "cannot create \(temp): \(errnoText())") }
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
                    throw .writeFailed(file: path, reason: reason)
                }
                done += n
            }
        }
        // Flush to disk before the rename publishes the name, or a power cut could publish an empty file.
        if fsync(fd) != 0 {
            let reason = errnoText()
            close(fd)
            throw .writeFailed(file: path, reason: "fsync: \(reason)")
        }
        if close(fd) != 0 { throw .writeFailed(file: path, reason: "close: \(errnoText())") }
        if rename(temp, path) != 0 { throw .writeFailed(file: path, reason: "rename: \(errnoText())") }
        ok = true
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
