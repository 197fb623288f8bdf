import Attention
import Foundation

/// Limits an op checks before it allocates, so that a valid but enormous input is refused with the figure instead
/// of running for hours, aborting in an allocation or stopping on a kernel precondition.
extension RunContext {
    /// The fused kernels index keys in 32 bits (`FlashAttention`): S = 2³¹ − 1 keys at most.
    static let maxKeys = Int(Int32.max) - 1

    /// Bytes an op may plan to allocate: the machine's physical memory. A larger plan could only end in swapping
    /// for hours, the out-of-memory killer or an allocation abort.
    static var memoryLimit: UInt64 { ProcessInfo.processInfo.physicalMemory }

    /// Throws when attention over `keys` keys exceeds ``maxKeys`` while it has work to do (some of the `results`
    /// shapes is non-empty); an empty result is computed whatever key count the inputs declare.
    func checkKeyCount(_ keys: Int, tensor: String, results: [[Int]]) throws {
        guard keys > Self.maxKeys, results.contains(where: { Shape.checkedCount($0) != 0 }) else { return }
        throw RunnerError("\(Self.inputFile): tensor '\(tensor)' declares S = \(keys) keys; attention supports at most \(Self.maxKeys) (32-bit key indices)")
    }

    /// Throws when the Float32 tensors `planned` (name, shape) need more than ``memoryLimit`` bytes together;
    /// the message gives the total, the largest tensor and the limit.
    func checkMemory(op: String, _ planned: [(name: String, shape: [Int])], limit: UInt64 = memoryLimit) throws {
        var total: UInt64? = 0
        var largest: (name: String, shape: [Int], bytes: UInt64?)? = nil
        for (name, shape) in planned {
            var bytes: UInt64? = nil
            if let n = Shape.checkedCount(shape) {
                let (b, o) = UInt64(n).multipliedReportingOverflow(by: 4)
                bytes = o ? nil : b
            }
            if let t = total, let b = bytes {
                let (sum, o) = t.addingReportingOverflow(b)
                total = o ? nil : sum
            } else {
                total = nil
            }
            if largest == nil || (largest!.bytes ?? .max) < (bytes ?? .max) { largest = (name, shape, bytes) }
        }
        if let t = total, t <= limit { return }
        let need = total.map { "\(Self.byteText($0)) (\($0) bytes)" } ?? "more than 2⁶⁴ bytes"
        let big = largest.map { "; the largest is '\($0.name)' \($0.shape)" } ?? ""
        throw RunnerError("\(op): the result needs \(need) of Float32 tensors\(big); the limit is this machine's physical memory, \(Self.byteText(limit)) (\(limit) bytes)")
    }

    /// 1.5 GB style figure (powers of 1000, as memory is usually quoted in messages).
    static func byteText(_ bytes: UInt64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var x = Double(bytes), u = 0
        while x >= 1000 && u < units.count - 1 { x /= 1000; u += 1 }
        return u == 0 ? "\(bytes) bytes" : String(format: "%.1f", x) + " " + units[u]
    }

    /// The key-count and memory checks of a Transformer layer over `rows` = [N, T] tokens: about ten [N, T, d_model]
    /// activations and two [N, T, dim_feedforward] ones per pass (doubled when gradients are asked for).
    func checkLayer(_ op: String, keys: Int, keyTensor: String, rows: [Int], config c: TransformerLayerConfiguration) throws {
        try checkKeyCount(keys, tensor: keyTensor, results: [rows + [c.modelDim]])
        let copies = inputs["grad_output"] == nil ? 1 : 2
        try checkMemory(op: op, [("activations", [10 * copies] + rows + [c.modelDim]),
                                 ("feed-forward activations", [2 * copies] + rows + [c.feedForwardDim])])
    }
}
