import Foundation

/// A safetensors file, memory-mapped and validated, whose tensors are converted only when asked for.
///
/// Opening maps the file and reads the 8-byte length and the JSON header; every rule of the format is checked at once
/// (see ``SafeTensorsError``), so a file that opens can be read without further surprises. Tensor bytes are not touched
/// (nor copied) until ``tensor(_:as:)`` or one of the array accessors converts them.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: "model.safetensors")
/// for info in file.tensors { print(info.name, info.dtype, info.shape) }
/// let weight = try file.tensor("embeddings.word_embeddings.weight")   // Float32 Tensor, F16/BF16 widened exactly
/// let ids = try file.int64s("input_ids")                              // I64 (or any integer dtype) as [Int64]
/// print(file.metadata["format"] ?? "-")
/// ```
public struct SafeTensorsFile: Sendable {
    /// Where one tensor lives and what it holds.
    public struct TensorInfo: Equatable, Sendable, CustomStringConvertible {
        /// The tensor's name in the header.
        public let name: String
        /// The element type as stored.
        public let dtype: SafeTensorsDType
        /// The shape ([] for a scalar).
        public let shape: [Int]
        /// Byte range inside the data section (which starts after the 8-byte length and the header).
        public let dataOffsets: Range<Int>

        /// A tensor's entry from its header fields.
        public init(name: String, dtype: SafeTensorsDType, shape: [Int], dataOffsets: Range<Int>) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.dataOffsets = dataOffsets
        }

        /// Number of elements (1 for a rank-0 tensor).
        public var elementCount: Int { shape.reduce(1, *) }
        /// Bytes of data the tensor holds.
        public var byteCount: Int { dataOffsets.count }
        /// "name: dtype shape".
        public var description: String { "\(name): \(dtype) \(shape)" }
    }

    /// The path the file was opened from, or the name given for in-memory bytes; every error message starts with it.
    public let path: String
    /// The tensors in data-section order (the order of their bytes in the file).
    public let tensors: [TensorInfo]
    /// The `__metadata__` object (string → string), empty when absent.
    public let metadata: [String: String]
    /// Length in bytes of the JSON header (a multiple of 8 in files from well-behaved writers).
    public let headerLength: Int

    let bytes: MappedBytes
    /// Keyed by UTF-8 bytes: names that differ only in Unicode normalisation are different tensors, as in the
    /// reference reader, while Swift's `String` equality would merge them.
    private let index: [[UInt8]: Int]

    /// Maps and validates the file at `path`.
    public init(contentsOf path: String) throws(SafeTensorsError) {
        try self.init(bytes: MappedBytes.map(path: path), name: path)
    }

    /// Maps and validates the file at a `file://` URL.
    public init(contentsOf url: URL) throws(SafeTensorsError) {
        try self.init(contentsOf: url.path)
    }

    /// Validates in-memory bytes (copied once). `name` stands for the file in error messages.
    public init(bytes: some Collection<UInt8>, name: String = "<memory>") throws(SafeTensorsError) {
        try self.init(bytes: MappedBytes(copying: bytes), name: name)
    }

    init(bytes: MappedBytes, name: String) throws(SafeTensorsError) {
        let header = try HeaderValidation.validate(bytes.buffer, name: name)
        self.bytes = bytes
        self.path = name
        self.tensors = header.tensors
        self.metadata = header.metadata
        self.headerLength = header.headerLength
        var index: [[UInt8]: Int] = [:]
        for (k, t) in header.tensors.enumerated() { index[Array(t.name.utf8)] = k }
        self.index = index
    }

    /// Tensor names in data-section order.
    public var names: [String] { tensors.map(\.name) }

    /// Whether a tensor of this exact name exists.
    public func contains(_ name: String) -> Bool { index[Array(name.utf8)] != nil }

    /// The description of one tensor.
    public func info(_ name: String) throws(SafeTensorsError) -> TensorInfo {
        guard let k = index[Array(name.utf8)] else {
            throw .tensorNotFound(file: path, name: name, available: names)
        }
        return tensors[k]
    }

    /// Calls `body` with the tensor's raw little-endian bytes, straight from the mapping (no copy). The pointer must not
    /// escape `body`.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try self.info(name)
        return try withExtendedLifetime(bytes) { try body(rawBuffer(info)) }
    }

    /// A copy of the tensor's raw little-endian bytes.
    public func rawBytes(_ name: String) throws(SafeTensorsError) -> [UInt8] {
        let info = try self.info(name)
        return withExtendedLifetime(bytes) { Array(rawBuffer(info)) }
    }

    /// The bytes of one tensor inside the mapping; valid while `bytes` lives.
    func rawBuffer(_ info: TensorInfo) -> UnsafeRawBufferPointer {
        let start = 8 + headerLength + info.dataOffsets.lowerBound
        return UnsafeRawBufferPointer(rebasing: bytes.buffer[start..<(start + info.byteCount)])
    }
}
