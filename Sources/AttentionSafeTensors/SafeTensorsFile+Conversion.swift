import AttentionTensorCore

/// Converting stored tensors to `Tensor` and to Swift arrays. All reads are little-endian and alignment-free (a header
/// whose length is not a multiple of 8 leaves the data unaligned), and none of them copies more than the one tensor.
extension SafeTensorsFile {
    /// The tensor as a `Tensor` of `dtype`; by default Float64 for F64 and Float32 for everything else.
    ///
    /// F16, BF16 and the float8 formats widen exactly; F64 → Float32 rounds to nearest. Integer and BOOL tensors are
    /// accepted too (a mask or id tensor as numbers); integers beyond 2²⁴ (Float32) or 2⁵³ (Float64) round.
    ///
    /// ```swift
    /// let w = try file.tensor("classifier.weight")                  // Float32
    /// let reference = try file.tensor("expected", as: .float64)     // exact copy of an F64 tensor
    /// ```
    public func tensor(_ name: String, as dtype: DType? = nil) throws(SafeTensorsError) -> Tensor {
        let info = try self.info(name)
        let target = dtype ?? (info.dtype == .float64 ? .float64 : .float32)
        if info.dtype == .bool { try checkBools(info) }
        // Validation multiplies the shape left to right; strides multiply it right to left, which can overflow for an
        // empty tensor such as [0, 2^40, 2^40].
        var running = 1
        for d in info.shape.reversed() {
            let (p, overflow) = running.multipliedReportingOverflow(by: d)
            if overflow { throw .shapeNotRepresentable(file: path, tensor: name, shape: info.shape) }
            running = p
        }
        #if _endian(little)
        // Same dtype, aligned: the tensor reads the mapping itself (no copy of a 90 MB checkpoint; the mapping stays
        // alive while any such tensor does).
        let raw = rawBuffer(info)
        if let base = raw.baseAddress, info.byteCount > 0 {
            if target == .float32, info.dtype == .float32, Int(bitPattern: base) % 4 == 0 {
                return Tensor.borrowing(base.assumingMemoryBound(to: Float.self), shape: info.shape, keepingAlive: bytes)
            }
            if target == .float64, info.dtype == .float64, Int(bitPattern: base) % 8 == 0 {
                return Tensor.borrowing(base.assumingMemoryBound(to: Double.self), shape: info.shape, keepingAlive: bytes)
            }
        }
        #endif
        return withExtendedLifetime(bytes) {
            let raw = rawBuffer(info)
            switch target {
            case .float32: return Tensor.initialized(info.shape, of: Float.self) { Self.decode(raw, info.dtype, into: $0) }
            case .float64: return Tensor.initialized(info.shape, of: Double.self) { Self.decode(raw, info.dtype, into: $0) }
            }
        }
    }

    /// The elements of an integer or BOOL tensor as `Int64` (U64 values above `Int64.max` are an error).
    public func int64s(_ name: String) throws(SafeTensorsError) -> [Int64] { try integers(name, Int64.self) }
    /// The elements of an integer or BOOL tensor as `Int32`, each checked to fit.
    public func int32s(_ name: String) throws(SafeTensorsError) -> [Int32] { try integers(name, Int32.self) }
    /// The elements of an integer or BOOL tensor as `UInt8`, each checked to fit.
    public func uint8s(_ name: String) throws(SafeTensorsError) -> [UInt8] { try integers(name, UInt8.self) }
    /// The elements of an integer or BOOL tensor as `Int`, each checked to fit.
    public func ints(_ name: String) throws(SafeTensorsError) -> [Int] { try integers(name, Int.self) }

    /// The elements of a BOOL tensor (or a U8 tensor of 0s and 1s) as `Bool`.
    public func bools(_ name: String) throws(SafeTensorsError) -> [Bool] {
        let info = try self.info(name)
        guard info.dtype == .bool || info.dtype == .uint8 else {
            throw .dtypeMismatch(file: path, tensor: name, requested: "[Bool] (needs BOOL or U8)", found: info.dtype)
        }
        try checkBools(info)
        return withExtendedLifetime(bytes) { rawBuffer(info).map { $0 == 1 } }
    }

    // MARK: Helpers

    private func checkBools(_ info: TensorInfo) throws(SafeTensorsError) {
        let bad: (Int, UInt8)? = withExtendedLifetime(bytes) {
            for (k, b) in rawBuffer(info).enumerated() where b > 1 { return (k, b) }
            return nil
        }
        if let (k, b) = bad { throw .invalidBool(file: path, tensor: info.name, index: k, byte: b) }
    }

    private func integers<T: FixedWidthInteger>(_ name: String, _: T.Type) throws(SafeTensorsError) -> [T] {
        let info = try self.info(name)
        guard info.dtype.isInteger || info.dtype == .bool else {
            throw .dtypeMismatch(file: path, tensor: name, requested: "[\(T.self)] (needs an integer or BOOL dtype)", found: info.dtype)
        }
        if info.dtype == .bool { try checkBools(info) }
        let n = info.elementCount
        let result: Result<[T], SafeTensorsError> = withExtendedLifetime(bytes) {
            let raw = rawBuffer(info)
            var out = [T]()
            out.reserveCapacity(n)
            for k in 0..<n {
                // Every stored integer fits Int64 except U64 values above Int64.max, which are read unsigned.
                if info.dtype == .uint64 {
                    let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
                    guard let t = T(exactly: v) else { return .failure(outOfRange(info, k, String(v), T.self)) }
                    out.append(t)
                } else {
                    let v = Self.integer(raw, info.dtype, k)
                    guard let t = T(exactly: v) else { return .failure(outOfRange(info, k, String(v), T.self)) }
                    out.append(t)
                }
            }
            return .success(out)
        }
        return try result.get()
    }

    private func outOfRange<T>(_ info: TensorInfo, _ k: Int, _ value: String, _: T.Type) -> SafeTensorsError {
        .valueOutOfRange(file: path, tensor: info.name, index: k, value: value, type: "\(T.self)")
    }

    /// Element `k` of an integer or BOOL buffer (not U64 above Int64.max) as Int64.
    @inline(__always)
    static func integer(_ raw: UnsafeRawBufferPointer, _ dtype: SafeTensorsDType, _ k: Int) -> Int64 {
        switch dtype {
        case .bool, .uint8: return Int64(raw[k])
        case .int8: return Int64(Int8(bitPattern: raw[k]))
        case .int16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: Int16.self)))
        case .uint16: return Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
        case .int32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)))
        case .uint32: return Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
        case .int64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self))
        case .uint64: return Int64(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
        default: preconditionFailure("integer(): \(dtype) is not an integer dtype")
        }
    }

    /// Converts every element of `raw` (stored as `dtype`) into `out`.
    static func decode<T: TensorScalar>(_ raw: UnsafeRawBufferPointer, _ dtype: SafeTensorsDType, into out: UnsafeMutableBufferPointer<T>) {
        let n = out.count
        func f32(_ k: Int) -> Float { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
        func u16(_ k: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)) }
        switch dtype {
        case .float32:
            #if _endian(little)
            if T.self == Float.self {
                // Same layout: one memcpy out of the mapping.
                UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
                return
            }
            #endif
            for k in 0..<n { out[k] = T(f32(k)) }
        case .float64:
            for k in 0..<n {
                out[k] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))))
            }
        case .float16: for k in 0..<n { out[k] = T(HalfPrecision.float(fromFloat16: u16(k))) }
        case .bfloat16: for k in 0..<n { out[k] = T(HalfPrecision.float(fromBFloat16: u16(k))) }
        case .float8E5M2: for k in 0..<n { out[k] = T(HalfPrecision.float(fromFloat8E5M2: raw[k])) }
        case .float8E4M3: for k in 0..<n { out[k] = T(HalfPrecision.float(fromFloat8E4M3: raw[k])) }
        case .uint64:
            for k in 0..<n { out[k] = T(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))) }
        case .bool, .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64:
            for k in 0..<n { out[k] = T(integer(raw, dtype, k)) }
        }
    }
}
