/// The element buffer behind one or more tensors (views share it). 64-byte aligned so SIMD kernels can use
/// aligned loads at the start of a buffer. Tensors copy it before writing when it is shared (copy-on-write).
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let count: Int
    @usableFromInline let dtype: DType
    /// For storage that borrows memory owned elsewhere (a memory-mapped checkpoint): the object that keeps it valid.
    /// Such storage is never written: in-place writes copy it first (`makeUniqueAndContiguous`).
    @usableFromInline let owner: AnyObject?

    /// Uninitialised storage for `count` elements. Callers must write every element before reading.
    @usableFromInline init(uninitializedCount count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        owner = nil
        base = StorageCache.allocate(bytes: max(count, 1) * dtype.byteSize)
    }

    /// Storage over `count` elements at `base`, owned by `owner` (kept alive as long as this storage).
    @usableFromInline init(borrowing base: UnsafeMutableRawPointer, count: Int, dtype: DType, owner: AnyObject) {
        self.count = count
        self.dtype = dtype
        self.owner = owner
        self.base = base
    }

    /// Zero-filled storage.
    @usableFromInline convenience init(zeroedCount count: Int, dtype: DType) {
        self.init(uninitializedCount: count, dtype: dtype)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * dtype.byteSize)
    }

    deinit { if owner == nil { StorageCache.release(base, bytes: max(count, 1) * dtype.byteSize) } }

    @inline(__always) @usableFromInline
    func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dtype == dtype, "storage holds \(dtype), accessed as \(T.dtype)")
        return base.assumingMemoryBound(to: T.self)
    }
}
