import Foundation

/// Freed tensor buffers of 256 KiB and more, kept for the next allocation of the same size class instead of being
/// returned to the system.
///
/// Why: a training step allocates and frees the same large activations and gradients every step; glibc hands
/// such blocks back to the kernel (mmap / heap trimming), so every step paid for page faults and the kernel's
/// zeroing of fresh pages: 15 % of a Transformer translator's training step (`perf`), where PyTorch's step paid
/// far less. Size classes are 8 per power of two (≤ 12.5 % slack), so batches of nearby lengths share buffers.
/// At most ``capacityBytes`` are held (1 GiB or an eighth of physical memory, whichever is less); a free that
/// would exceed it first releases everything held. Thread-safe (one pthread mutex).
enum StorageCache {
    static let minimumBytes = 1 << 18
    static let capacityBytes = Swift.min(1 << 30, Int(ProcessInfo.processInfo.physicalMemory / 8))

    private struct Buffer: @unchecked Sendable { let base: UnsafeMutableRawPointer }
    private struct State: Sendable {
        var free: [Int: [Buffer]] = [:]
        var bytes = 0
    }
    private static let state = Locked(State())

    /// The size class of a request: rounded up to a multiple of 1/8 of its power of two.
    static func sizeClass(_ bytes: Int) -> Int {
        let step = 1 << Swift.max(0, (Int.bitWidth - 1 - bytes.leadingZeroBitCount) - 3)
        return (bytes + step - 1) / step * step
    }

    /// 64-byte aligned memory for `bytes` bytes (uninitialised).
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= minimumBytes else { return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
        let size = sizeClass(bytes)
        let reused = state.withLock { s -> Buffer? in
            guard let b = s.free[size]?.popLast() else { return nil }
            s.bytes -= size
            return b
        }
        return reused?.base ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Gives back memory from ``allocate(bytes:)`` of the same `bytes`.
    static func release(_ base: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= minimumBytes else { base.deallocate(); return }
        let size = sizeClass(bytes)
        guard size <= capacityBytes else { base.deallocate(); return }
        let dropped = state.withLock { s -> [Buffer] in
            var out: [Buffer] = []
            if s.bytes + size > capacityBytes {
                out = s.free.values.flatMap { $0 }
                s.free = [:]
                s.bytes = 0
            }
            s.free[size, default: []].append(Buffer(base: base))
            s.bytes += size
            return out
        }
        for b in dropped { b.base.deallocate() }
    }
}
