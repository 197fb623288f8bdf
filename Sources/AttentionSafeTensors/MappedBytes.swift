#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Read-only bytes that stay valid while the object lives: a memory-mapped file, or a copy of in-memory data.
///
/// Mapping means opening a 90 MB checkpoint costs a page or two (the header); the kernel reads tensor pages only when a
/// tensor uses them, and Float32 / Float64 tensors read the mapping directly (`Tensor.borrowing`). The mapping is
/// private (MAP_PRIVATE: the file is never changed) and, although nothing writes to it — tensors copy before any
/// in-place write — mapped writable, so a write that slipped through would change a private page, not crash. If
/// another process truncates the file while it is mapped, touching the lost pages raises SIGBUS, as with any
/// mmap-based reader (the reference reader included).
final class MappedBytes: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    private let release: () -> Void

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    private init(base: UnsafeRawPointer, count: Int, release: @escaping () -> Void) {
        self.base = base
        self.count = count
        self.release = release
    }

    deinit { release() }

    /// Copies `data` (used for in-memory files and tests).
    convenience init(copying data: some Collection<UInt8>) {
        let n = data.count
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 64)
        p.copyMemory(from: Array(data), byteCount: n)
        self.init(base: UnsafeRawPointer(p), count: n) { p.deallocate() }
    }

    /// Maps the file at `path` read-only.
    static func map(path: String) throws(SafeTensorsError) -> MappedBytes {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw .cannotOpen(file: path, reason: Self.errnoText()) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .cannotOpen(file: path, reason: Self.errnoText()) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .cannotOpen(file: path, reason: "it is a directory") }
        if (st.st_mode & S_IFMT) != S_IFREG { throw .cannotOpen(file: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        // mmap refuses a length of 0; an empty file needs no mapping anyway.
        if size == 0 { return MappedBytes(copying: [UInt8]()) }
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw .cannotOpen(file: path, reason: "mmap failed: \(Self.errnoText())")
        }
        return MappedBytes(base: UnsafeRawPointer(p), count: size) { munmap(p, size) }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
