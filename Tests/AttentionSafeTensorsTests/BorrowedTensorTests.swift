import Foundation
import Testing
import AttentionTensorCore
@testable import AttentionSafeTensors

/// Float32 / Float64 tensors read from a mapped file borrow the mapping: no copy, kept alive by the tensor, and never
/// written — an in-place write copies first, so neither the file nor other tensors change.
struct BorrowedTensorTests {
    @Test("a mapped tensor outlives its file object, and writing to it copies instead of touching the mapping or the file")
    func borrowedTensorsAreSafe() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-borrow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.safetensors").path
        var writer = SafeTensorsWriter()
        let values: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        try writer.add("a", Tensor(shape: [4, 6], scalars: values))
        try writer.add("b", Tensor(shape: [3], doubles: [1.5, -2, 1e-300]))
        try writer.write(to: path)

        var a: Tensor, b: Tensor
        do {
            let file = try SafeTensorsFile(contentsOf: path)
            a = try file.tensor("a")
            b = try file.tensor("b")
        }   // the file object is gone; the tensors keep the mapping alive
        #expect(a.scalars == values && b.doubles == [1.5, -2, 1e-300])
        let alias = a
        a.withMutableScalars(Float.self) { $0[0] = 99 }
        #expect(a.scalars[0] == 99)
        #expect(alias.scalars == values, "the other value of the same storage was changed")
        #expect(try SafeTensorsFile(contentsOf: path).tensor("a").scalars == values, "the file was changed")
        // Reads through every op work on borrowed storage.
        #expect((alias * 2).scalars == values.map { $0 * 2 })
        #expect(alias.matmul(Tensor.ones([6, 1])).scalars == (0..<4).map { r in values[(r * 6)..<(r * 6 + 6)].reduce(0, +) })
        b.withMutableScalars(Double.self) { $0[2] = 0 }
        #expect(try SafeTensorsFile(contentsOf: path).tensor("b").doubles == [1.5, -2, 1e-300])
    }
}
