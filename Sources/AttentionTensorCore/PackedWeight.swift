import AttentionCKernels

/// A weight matrix [out, in] packed once into the GEMM's panel layout for the active CPU path, for
/// `Tensor.linear(…, packed:)`: inference re-uses a layer's weight for every batch, and packing it per call (per
/// thread) cost more than a tenth of a BERT forward pass. Immutable; safe to share between threads.
public final class PackedWeight: @unchecked Sendable {
    let isa: ck_isa
    /// out and in of the weight it was made from.
    public let outputSize: Int, inputSize: Int
    private let buffer: UnsafeMutableRawPointer

    /// Packs `weight` [out, in] (Float32) for the active path.
    public init(weight: Tensor) {
        precondition(weight.rank == 2 && weight.dtype == .float32, "PackedWeight: weight must be Float32 [out, in], got \(weight.dtype) \(weight.shape)")
        isa = ck_active_isa()
        outputSize = weight.shape[0]; inputSize = weight.shape[1]
        let k = inputSize, n = outputSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(64, ck_sgemm_packed_b_size(isa, Int64(k), Int64(n))), alignment: 64)
        // B(k, j) = weight[j, k], read through the weight's own strides.
        weight.withUnsafeStridedScalars(Float.self) { p, strides in
            ck_sgemm_pack_b(isa, Int64(k), Int64(n), p, Int64(strides[1]), Int64(strides[0]), buffer)
        }
    }

    deinit { buffer.deallocate() }

    /// Whether it was packed for the path the kernels use now (a forced path makes it stale).
    public var isCurrent: Bool { isa == ck_active_isa() }

    var pointer: UnsafeRawPointer { UnsafeRawPointer(buffer) }
}
