import Foundation
import Testing
@testable import AttentionSafeTensors

/// The corpus of broken and foreign files (Scripts/make_bad_safetensors.py): each must fail with its own error case,
/// and the message must name the file and the problem.
struct BadFileTests {
    struct Case: CustomStringConvertible, Sendable {
        let file: String
        let error: String
        /// Phrases the message must contain (besides the file name).
        let phrases: [String]
        var description: String { file }
    }

    static let cases: [Case] = [
        // The file as a whole
        Case(file: "empty.safetensors", error: "emptyFile", phrases: ["empty", "0 bytes"]),
        Case(file: "too_small.safetensors", error: "fileTooSmall", phrases: ["5 bytes", "too small"]),
        Case(file: "header_too_large.safetensors", error: "headerTooLarge", phrases: ["100000001", "100 MB"]),
        Case(file: "header_length_max_u64.safetensors", error: "headerTooLarge", phrases: ["18446744073709551615"]),
        Case(file: "header_truncated.safetensors", error: "headerTruncated", phrases: ["truncated", "4096"]),
        // Header bytes
        Case(file: "header_not_utf8.safetensors", error: "headerNotUTF8", phrases: ["UTF-8", "offset 3"]),
        Case(file: "header_overlong_utf8.safetensors", error: "headerNotUTF8", phrases: ["UTF-8"]),
        Case(file: "header_array.safetensors", error: "headerNotObject", phrases: ["JSON object", "'[]"]),
        Case(file: "header_whitespace_only.safetensors", error: "headerNotObject", phrases: ["empty header"]),
        Case(file: "header_empty.safetensors", error: "headerNotObject", phrases: ["empty header"]),
        Case(file: "header_syntax_error.safetensors", error: "headerNotJSON", phrases: ["not valid JSON", "offset 6", "expected a value"]),
        Case(file: "header_trailing_garbage.safetensors", error: "headerNotJSON", phrases: ["'x'", "after the end"]),
        Case(file: "header_unterminated_string.safetensors", error: "headerNotJSON", phrases: ["unterminated string"]),
        Case(file: "header_lone_surrogate.safetensors", error: "headerNotJSON", phrases: ["surrogate"]),
        Case(file: "header_nul_padding.safetensors", error: "headerNotJSON", phrases: ["byte 0x0"]),
        Case(file: "header_too_deep.safetensors", error: "headerNotJSON", phrases: ["nested deeper than 64"]),
        // Header content
        Case(file: "duplicate_tensor_name.safetensors", error: "duplicateTensorName", phrases: ["'w' twice"]),
        Case(file: "duplicate_key_in_entry.safetensors", error: "duplicateKey", phrases: ["'dtype'", "tensor 'w'"]),
        Case(file: "duplicate_metadata_key.safetensors", error: "duplicateKey", phrases: ["'a'", "__metadata__"]),
        Case(file: "metadata_not_object.safetensors", error: "metadataNotObject", phrases: ["format=pt"]),
        Case(file: "metadata_value_not_string.safetensors", error: "metadataValueNotString", phrases: ["'epoch'", "number 3"]),
        Case(file: "tensor_entry_not_object.safetensors", error: "tensorEntryNotObject", phrases: ["'w'", "array of 2"]),
        Case(file: "missing_dtype.safetensors", error: "missingField", phrases: ["'dtype'"]),
        Case(file: "missing_shape.safetensors", error: "missingField", phrases: ["'shape'"]),
        Case(file: "missing_data_offsets.safetensors", error: "missingField", phrases: ["'data_offsets'"]),
        Case(file: "dtype_not_string.safetensors", error: "invalidField", phrases: ["'dtype'", "number 32"]),
        Case(file: "unknown_dtype.safetensors", error: "unknownDType", phrases: ["'F128'", "BF16"]),
        Case(file: "shape_not_array.safetensors", error: "invalidField", phrases: ["'shape'", "2x2"]),
        Case(file: "negative_shape.safetensors", error: "invalidShapeEntry", phrases: ["shape[0]", "-4"]),
        Case(file: "fractional_shape.safetensors", error: "invalidShapeEntry", phrases: ["shape[0]", "4.0"]),
        Case(file: "shape_entry_too_large.safetensors", error: "invalidShapeEntry", phrases: ["99999999999999999999"]),
        Case(file: "shape_overflow.safetensors", error: "sizeOverflow", phrases: ["overflows", "1099511627776"]),
        Case(file: "offsets_wrong_length.safetensors", error: "invalidField", phrases: ["'data_offsets'", "[begin, end]"]),
        Case(file: "negative_offset.safetensors", error: "invalidOffset", phrases: ["data_offsets[0]", "-16"]),
        Case(file: "offsets_reversed.safetensors", error: "offsetsReversed", phrases: ["[16, 0]"]),
        Case(file: "byte_size_mismatch.safetensors", error: "byteSizeMismatch", phrases: ["needs 16 bytes", "span 12 bytes"]),
        // Data layout
        Case(file: "data_gap.safetensors", error: "dataGap", phrases: ["4..<8", "'a'", "'b'"]),
        Case(file: "data_gap_at_start.safetensors", error: "dataGap", phrases: ["0..<4", "before the first tensor 'a'"]),
        Case(file: "data_overlap.safetensors", error: "dataOverlap", phrases: ["'a'", "'b'", "4..<8"]),
        Case(file: "empty_tensor_inside_other.safetensors", error: "dataOverlap", phrases: ["'a'", "'b'"]),
        Case(file: "data_truncated.safetensors", error: "dataTruncated", phrases: ["truncated", "8 missing"]),
        Case(file: "trailing_bytes.safetensors", error: "trailingBytes", phrases: ["3 trailing bytes"]),
        // Foreign formats
        Case(file: "pytorch_pickle.bin", error: "notSafeTensors", phrases: ["pickle (protocol 2)", "PyTorch"]),
        Case(file: "pytorch_zip.bin", error: "notSafeTensors", phrases: ["PyTorch checkpoint", "zip"]),
        Case(file: "archive.zip", error: "notSafeTensors", phrases: ["a zip archive"]),
        Case(file: "model.gguf", error: "notSafeTensors", phrases: ["GGUF", "version 3"]),
        Case(file: "lfs_pointer.safetensors", error: "notSafeTensors", phrases: ["Git LFS pointer", "90868376", "git lfs pull"]),
        Case(file: "error_page.safetensors", error: "notSafeTensors", phrases: ["HTML page"]),
        Case(file: "config.json", error: "notSafeTensors", phrases: ["JSON document"]),
        Case(file: "array.npy", error: "notSafeTensors", phrases: ["NumPy"]),
        Case(file: "weights.h5", error: "notSafeTensors", phrases: ["HDF5"]),
        Case(file: "notes.txt", error: "notSafeTensors", phrases: ["a text file"]),
    ]

    @Test("each bad file gives its own error, naming the file and the problem", arguments: cases)
    func badFile(_ c: Case) {
        let path = Fixtures.bad(c.file)
        let error = safeTensorsError { _ = try SafeTensorsFile(contentsOf: path) }
        #expect(caseName(error) == c.error, "\(c.file): \(error.map { "\($0)" } ?? "opened without error")")
        let message = error?.description ?? ""
        #expect(message.hasPrefix(path), "message must start with the file path: \(message)")
        for phrase in c.phrases {
            #expect(message.contains(phrase), "\(c.file): message lacks \"\(phrase)\": \(message)")
        }
    }

    @Test func theCorpusHasAtLeastThirtyKindsAndEveryFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.appendingPathComponent("bad").path)
        #expect(Set(files) == Set(Self.cases.map(\.file)))
        // Kinds: the error case, with the recognised format for foreign files.
        let kinds = Set(Self.cases.map { c -> String in
            let error = safeTensorsError { _ = try SafeTensorsFile(contentsOf: Fixtures.bad(c.file)) }
            if case .notSafeTensors(_, let format)? = error { return "notSafeTensors.\(Mirror(reflecting: format).children.first?.label ?? "\(format)")" }
            return caseName(error)
        })
        #expect(kinds.count >= 30, "\(kinds.sorted())")
    }

    @Test func inMemoryBytesAreCheckedTheSameWay() {
        let bytes = safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [UInt8](repeating: 0, count: 19))
        let error = safeTensorsError { _ = try SafeTensorsFile(bytes: bytes, name: "weights") }
        #expect(error == .trailingBytes(file: "weights", count: 3, expectedFileSize: 8 + 56 + 16))
    }

    @Test func missingFileAndDirectoryAreNamed() throws {
        let missing = safeTensorsError { _ = try SafeTensorsFile(contentsOf: "/nonexistent/model.safetensors") }
        #expect(caseName(missing) == "cannotOpen")
        #expect(missing?.description.contains("/nonexistent/model.safetensors: cannot open: No such file") == true)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let directory = safeTensorsError { _ = try SafeTensorsFile(contentsOf: dir.path) }
        #expect(directory?.description.contains("it is a directory") == true)
    }

    @Test func leadingWhitespaceBeforeTheObjectIsAcceptedLikeTheReference() throws {
        let file = try SafeTensorsFile(bytes: safetensorsBytes(header: " \n{}"))
        #expect(file.tensors.isEmpty)
    }

    @Test func tensorsMayBeListedInAnyOrderInTheHeader() throws {
        let header = #"{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#
        let file = try SafeTensorsFile(bytes: safetensorsBytes(header: header, data: [1, 2, 3, 4]))
        #expect(file.names == ["a", "b"])
        #expect(try file.uint8s("b") == [3, 4])
    }

    @Test func zeroSizedTensorsMayShareAnOffset() throws {
        let header = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"c":{"dtype":"I64","shape":[2,0],"data_offsets":[4,4]}}"#
        let file = try SafeTensorsFile(bytes: safetensorsBytes(header: header, data: [0, 0, 128, 63]))
        #expect(try file.tensor("b").scalars == [1])
        #expect(try file.tensor("a").shape == [0])
        #expect(try file.int64s("c") == [])
    }

    @Test func anEmptyTensorWhoseStridesOverflowIsAnErrorNotATrap() throws {
        let header = #"{"e":{"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]},"i":{"dtype":"I64","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]}}"#
        let file = try SafeTensorsFile(bytes: safetensorsBytes(header: header))
        #expect(caseName(safeTensorsError { _ = try file.tensor("e") }) == "shapeNotRepresentable")
        #expect(try file.int64s("i") == [])
    }

    @Test func anOffsetNearIntMaxIsReportedNotTrapped() {
        let big = Int.max - 3
        let header = "{\"w\":{\"dtype\":\"U8\",\"shape\":[\(big)],\"data_offsets\":[0,\(big)]}}"
        let error = safeTensorsError { _ = try SafeTensorsFile(bytes: safetensorsBytes(header: header)) }
        #expect(caseName(error) == "dataTruncated")
    }
}
