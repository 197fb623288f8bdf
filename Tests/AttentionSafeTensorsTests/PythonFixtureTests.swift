import Foundation
import Testing
import AttentionTensorCore
@testable import AttentionSafeTensors

/// Files written by the Python `safetensors` library (Scripts/make_safetensors_fixtures.py) read back with exact values,
/// and our writer reproducing them byte for byte.
struct PythonFixtureTests {
    struct ExpectedTensor: Decodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let values: [Value]
    }

    /// A JSON value of the fixture: numbers, booleans, or "nan" / "inf" / "-inf".
    enum Value: Decodable {
        case number(Double)
        case bool(Bool)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b); return }
            if let d = try? c.decode(Double.self) { self = .number(d); return }
            switch try c.decode(String.self) {
            case "nan": self = .number(.nan)
            case "inf": self = .number(.infinity)
            default: self = .number(-.infinity)
            }
        }

        var double: Double {
            switch self {
            case .number(let d): return d
            case .bool(let b): return b ? 1 : 0
            }
        }
    }

    struct ExpectedFile: Decodable {
        let metadata: [String: String]
        let tensors: [ExpectedTensor]
    }

    static let expected: [String: ExpectedFile] = {
        let url = Fixtures.directory.appendingPathComponent("good/expected.json")
        return try! JSONDecoder().decode([String: ExpectedFile].self, from: Data(contentsOf: url))
    }()

    static let files = ["numpy_dtypes.safetensors", "torch_dtypes.safetensors", "names_metadata.safetensors",
                        "shapes.safetensors", "empty.safetensors"]

    /// Same value, NaN equal to NaN, and the sign of zero respected.
    static func same(_ a: Double, _ b: Double) -> Bool {
        (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
    }

    @Test("every tensor of the reference writer reads back exactly", arguments: files)
    func readsExactValues(_ name: String) throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.good(name))
        let expected = try #require(Self.expected[name])
        #expect(file.metadata == expected.metadata)
        #expect(file.tensors.count == expected.tensors.count)
        #expect(file.headerLength % 8 == 0)
        for want in expected.tensors {
            let tensorName = want.name
            let info = try file.info(tensorName)
            #expect(info.dtype.rawValue == want.dtype, "\(tensorName)")
            #expect(info.shape == want.shape, "\(tensorName)")
            let values = want.values.map(\.double)
            // Float64 is exact for every stored float and for integers up to 2^53.
            let got = try file.tensor(tensorName, as: .float64).doubles
            let exactAsDouble = info.dtype != .int64 && info.dtype != .uint64
            if exactAsDouble {
                #expect(got.count == values.count && zip(got, values).allSatisfy(Self.same), "\(tensorName): \(got) vs \(values)")
            }
            if info.dtype.isInteger || info.dtype == .bool {
                try checkIntegers(file, tensorName, info.dtype, want)
            }
            if info.dtype != .float64 && info.dtype.isFloatingPoint {
                // Narrower floats widen to Float32 exactly.
                let f = try file.tensor(tensorName).scalars
                #expect(zip(f, values).allSatisfy { Self.same(Double($0), $1) }, "\(tensorName) as Float32")
            }
        }
    }

    private func checkIntegers(_ file: SafeTensorsFile, _ name: String, _ dtype: SafeTensorsDType, _ want: ExpectedTensor) throws {
        // JSON doubles cannot hold 2^63-1 exactly, so compare the big values through their exact spelling.
        let raw = try file.rawBytes(name)
        #expect(raw.count == want.values.count * dtype.byteSize)
        switch dtype {
        case .uint64:
            let got = try file.rawBytes(name).withUnsafeBytes { p in (0..<want.values.count).map { p.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self) } }
            #expect(got == [0, 1, UInt64(Int64.max), UInt64.max])
            let error = safeTensorsError { _ = try file.int64s(name) }
            #expect(caseName(error) == "valueOutOfRange")
            #expect(error?.description.contains("18446744073709551615 does not fit in Int64") == true)
        case .int64 where name == "i64":
            #expect(try file.int64s(name) == [101, 7592, 102, 0, -1, .max, .min, 30521])
            #expect(caseName(safeTensorsError { _ = try file.int32s(name) }) == "valueOutOfRange")
        case .bool:
            #expect(try file.bools(name) == [true, true, false, true, false, false])
            #expect(try file.uint8s(name) == [1, 1, 0, 1, 0, 0])
        default:
            let got = try file.int64s(name)
            #expect(got.map(Double.init) == want.values.map(\.double), "\(name)")
        }
    }

    @Test func namesAreComparedByteForByte() throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.good("names_metadata.safetensors"))
        // "café" precomposed and decomposed are two tensors, though Swift's String == calls them equal.
        #expect(try file.tensor("caf\u{E9}").scalars == [1])
        #expect(try file.tensor("cafe\u{301}").scalars == [2])
        #expect(try file.tensor("quote\"back\\slash\nnewline\ttab").scalars == [4])
        #expect(try file.tensor("").scalars == [7])
        #expect(file.metadata == ["format": "np"])
    }

    @Test("our writer reproduces the reference writer's bytes", arguments: ["numpy_dtypes.safetensors", "names_metadata.safetensors",
                                                                            "shapes.safetensors", "empty.safetensors", "torch_dtypes.safetensors"])
    func writerIsByteIdentical(_ name: String) throws {
        let path = Fixtures.good(name)
        let file = try SafeTensorsFile(contentsOf: path)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        for info in file.tensors.reversed() {  // insertion order must not matter
            try writer.add(info.name, rawBytes: file.rawBytes(info.name), dtype: info.dtype, shape: info.shape)
        }
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(writer.serialized() == original)
    }

    @Test func aBoolTensorWithABadByteIsRefused() throws {
        let bytes = safetensorsBytes(header: #"{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#, data: [1, 0, 7])
        let file = try SafeTensorsFile(bytes: bytes, name: "mask.safetensors")
        let error = safeTensorsError { _ = try file.bools("m") }
        #expect(error == .invalidBool(file: "mask.safetensors", tensor: "m", index: 2, byte: 7))
        #expect(caseName(safeTensorsError { _ = try file.tensor("m") }) == "invalidBool")
    }

    @Test func readingTheWrongKindNamesBothTypes() throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.good("numpy_dtypes.safetensors"))
        let error = safeTensorsError { _ = try file.int64s("f32") }
        #expect(caseName(error) == "dtypeMismatch")
        #expect(error?.description.contains("'f32' is F32, cannot be read as [Int64]") == true)
        let missing = safeTensorsError { _ = try file.tensor("nope") }
        #expect(missing?.description.contains("no tensor named 'nope'") == true)
        #expect(missing?.description.contains("'u64'") == true)
    }
}
