import AttentionSafeTensors
import AttentionTensorCore

/// libFuzzer entry point: any byte string must either be refused with a `SafeTensorsError` or be read completely;
/// never a crash, a trap, a hang or an out-of-bounds access (AddressSanitizer watches the last one).
///
/// What is checked beyond "no crash": whatever the reader accepts, the writer can write again, and the reader accepts
/// the rewritten file with the same tensors, shapes, dtypes, bytes and metadata.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let file: SafeTensorsFile
    do {
        file = try SafeTensorsFile(bytes: input, name: "fuzz")
    } catch {
        _ = error.description  // messages must be printable for every failure
        return 0
    }
    var writer = SafeTensorsWriter(metadata: file.metadata)
    for info in file.tensors {
        _ = try? file.tensor(info.name)
        _ = try? file.tensor(info.name, as: .float64)
        _ = try? file.int64s(info.name)
        _ = try? file.int32s(info.name)
        _ = try? file.bools(info.name)
        let raw = try! file.rawBytes(info.name)
        try! writer.add(info.name, rawBytes: raw, dtype: info.dtype, shape: info.shape)
    }
    let again = try! SafeTensorsFile(bytes: writer.serialized(), name: "rewritten")
    precondition(again.tensors.count == file.tensors.count, "rewrite lost tensors")
    precondition(again.metadata == file.metadata, "rewrite changed metadata")
    for info in file.tensors {
        let copy = try! again.info(info.name)
        precondition(copy.dtype == info.dtype && copy.shape == info.shape, "rewrite changed \(info.name)")
        precondition(try! again.rawBytes(info.name) == file.rawBytes(info.name), "rewrite changed the bytes of \(info.name)")
    }
    return 0
}
