import Foundation
import Testing
import AttentionTensorCore
@testable import AttentionSafeTensors

/// Writer → file → reader, for every dtype, plus the writer's guarantees: padding, stable order, atomic replacement.
struct RoundTripTests {
    static let floats: [Float] = [0, -0.0, 1, -2.5, 0.1, 1e-8, 3.4e38, .infinity, -.infinity, 65504, 6.1e-5, 1.0 / 3]

    @Test func float32AndFloat64AreExact() throws {
        var w = SafeTensorsWriter()
        try w.add("f32", Tensor(shape: [3, 4], scalars: Self.floats))
        let doubles: [Double] = [.pi, -Double(bitPattern: 0x8000_B8A0_9E14_8000), 1.7976931348623157e308, 0]   // a subnormal near -1e-310
        try w.add("f64", Tensor(shape: [2, 2], doubles: doubles))
        let file = try SafeTensorsFile(bytes: w.serialized())
        let f32 = try file.tensor("f32")
        #expect(f32.dtype == .float32 && f32.shape == [3, 4])
        #expect(f32.scalars.map(\.bitPattern) == Self.floats.map(\.bitPattern))
        let f64 = try file.tensor("f64")
        #expect(f64.dtype == .float64 && f64.doubles == doubles)
        #expect(try file.info("f64").dtype == .float64)
    }

    @Test func nanSurvivesEveryFloatFormat() throws {
        var w = SafeTensorsWriter()
        let t = Tensor(shape: [2], scalars: [.nan, -1])
        try w.add("f32", t)
        try w.add("f16", t, as: .float16)
        try w.add("bf16", t, as: .bfloat16)
        try w.add("f64", t, as: .float64)
        let file = try SafeTensorsFile(bytes: w.serialized())
        for name in ["f32", "f16", "bf16", "f64"] {
            let v = try file.tensor(name).scalars
            #expect(v[0].isNaN && v[1] == -1, "\(name)")
        }
    }

    @Test(arguments: [SafeTensorsDType.float16, .bfloat16])
    func halfFormatsRoundOnceAndWidenExactly(_ dtype: SafeTensorsDType) throws {
        var w = SafeTensorsWriter()
        try w.add("x", Tensor(shape: [Self.floats.count], scalars: Self.floats), as: dtype)
        let file = try SafeTensorsFile(bytes: w.serialized())
        #expect(try file.info("x").dtype == dtype)
        let got = try file.tensor("x").scalars
        for (x, y) in zip(Self.floats, got) {
            let want = dtype == .float16 ? HalfPrecision.float(fromFloat16: HalfPrecision.float16Bits(from: Double(x)))
                : HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(from: Double(x)))
            #expect(y.bitPattern == want.bitPattern, "\(x) → \(y)")
        }
        #expect(got[2] == 1 && got[3] == -2.5)
    }

    @Test func integerAndBoolTensors() throws {
        var w = SafeTensorsWriter()
        try w.add("ids", int64s: [101, 7592, 2088, 102, .max, .min], shape: [2, 3])
        try w.add("i32", int32s: [-5, 0, .max], shape: [3])
        try w.add("u8", uint8s: [0, 200, 255], shape: [3])
        try w.add("mask", bools: [true, false, true, true], shape: [2, 2])
        try w.add("e4m3", rawBytes: [0x38, 0xB8, 0x7F], dtype: .float8E4M3, shape: [3])
        let file = try SafeTensorsFile(bytes: w.serialized())
        #expect(try file.int64s("ids") == [101, 7592, 2088, 102, .max, .min])
        #expect(try file.info("ids").shape == [2, 3])
        #expect(try file.int32s("i32") == [-5, 0, .max])
        #expect(try file.int64s("i32") == [-5, 0, Int64(Int32.max)])
        #expect(try file.uint8s("u8") == [0, 200, 255])
        #expect(try file.ints("u8") == [0, 200, 255])
        #expect(try file.bools("mask") == [true, false, true, true])
        #expect(try file.tensor("mask").scalars == [1, 0, 1, 1])
        #expect(try file.tensor("ids", as: .float64).doubles.prefix(4) == [101, 7592, 2088, 102])
        let e4m3 = try file.tensor("e4m3").scalars
        #expect(e4m3[0] == 1 && e4m3[1] == -1 && e4m3[2].isNaN)
        #expect(caseName(safeTensorsError { _ = try file.uint8s("i32") }) == "valueOutOfRange")
    }

    @Test func headerIsPaddedWithSpacesToEightBytes() throws {
        for nameLength in 1...9 {
            var w = SafeTensorsWriter(metadata: ["k": String(repeating: "v", count: nameLength)])
            try w.add(String(repeating: "n", count: nameLength), Tensor([1, 2]))
            let bytes = w.serialized()
            let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            #expect(n % 8 == 0)
            let header = Array(bytes[8..<(8 + n)])
            let close = try #require(header.lastIndex(of: UInt8(ascii: "}")))
            let padding = header[(close + 1)...]
            #expect(padding.count < 8 && padding.allSatisfy { $0 == UInt8(ascii: " ") })
            #expect(try SafeTensorsFile(bytes: bytes).tensor(String(repeating: "n", count: nameLength)).scalars == [1, 2])
        }
    }

    @Test func orderIsStableWhateverTheInsertionOrder() throws {
        var a = SafeTensorsWriter(metadata: ["b": "2", "a": "1"])
        var b = SafeTensorsWriter(metadata: ["a": "1", "b": "2"])
        let items: [(String, Tensor)] = [("z", Tensor([1])), ("a", Tensor([2])), ("m", Tensor(shape: [1], doubles: [3]))]
        for (n, t) in items { try a.add(n, t) }
        for (n, t) in items.reversed() { try b.add(n, t) }
        try a.add("ids", int64s: [1], shape: [1])
        try b.add("ids", int64s: [1], shape: [1])
        #expect(a.serialized() == b.serialized())
        // Widest dtype first (I64, then F64, then F32 by name), metadata first with sorted keys.
        let file = try SafeTensorsFile(bytes: a.serialized())
        #expect(file.names == ["ids", "m", "a", "z"])
        let header = String(decoding: a.serialized()[8...].prefix(40), as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"a":"1","b":"2"}"#))
    }

    @Test func writerRefusesReservedAndDuplicateNames() throws {
        var w = SafeTensorsWriter()
        #expect(caseName(safeTensorsError { try w.add("__metadata__", Tensor([1])) }) == "invalidTensorName")
        try w.add("x", Tensor([1]))
        #expect(safeTensorsError { try w.add("x", int64s: [1], shape: [1]) } == .duplicateTensorNameInWriter(name: "x"))
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFiles() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path
        var first = SafeTensorsWriter()
        try first.add("w", Tensor([1, 2, 3]))
        try first.write(to: path)
        var second = SafeTensorsWriter(metadata: ["version": "2"])
        try second.add("w", Tensor([4, 5]))
        try second.write(to: path)  // replaces the old file
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(try file.tensor("w").scalars == [4, 5])
        #expect(file.metadata == ["version": "2"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == second.serialized())
    }

    @Test func writingIntoAMissingDirectoryFailsWithTheReason() throws {
        var w = SafeTensorsWriter()
        try w.add("w", Tensor([1]))
        let error = safeTensorsError { try w.write(to: "/nonexistent-dir/x.safetensors") }
        #expect(caseName(error) == "writeFailed")
        #expect(error?.description.contains("/nonexistent-dir/x.safetensors: write failed") == true)
    }

    @Test func rawBytesComeStraightFromTheMapping() throws {
        var w = SafeTensorsWriter()
        try w.add("w", Tensor([1, 2]))
        let file = try SafeTensorsFile(bytes: w.serialized())
        let sum = try file.withRawBytes("w") { $0.reduce(0) { $0 + Int($1) } }
        #expect(sum == 0x80 + 0x3F + 0x40)  // 1.0 = 00 00 80 3F, 2.0 = 00 00 00 40
        #expect(try file.rawBytes("w") == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])
    }
}
