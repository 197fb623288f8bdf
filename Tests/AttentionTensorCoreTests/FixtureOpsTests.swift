import Foundation
import Testing
@testable import AttentionTensorCore

/// TensorCore ops against NumPy Float64 results (Scripts/make_tensorcore_fixtures.py).
struct FixtureOpsTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        struct Array: Decodable, Sendable { let shape: [Int]; let data: [Double] }
        struct Params: Decodable, Sendable {
            let axes: [Int]?, keep: Bool?, axis: Int?, indices: [Int]?, count: Int?
            let exponent: Double?, condition: [Bool]?, conditionShape: [Int]?, order: [Int]?
        }
        let op: String
        let inputs: [Array]
        let output: Array
        let params: Params
        var testDescription: String { op }
    }

    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "ops", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    static func apply(_ c: Case, _ x: [Tensor]) -> Tensor {
        let p = c.params
        switch c.op {
        case "add": return x[0] + x[1]
        case "mul": return x[0] * x[1]
        case "div": return x[0] / x[1]
        case "sub_scalar_left": return 2.5 - x[0]
        case "exp": return x[0].exp()
        case "tanh": return x[0].tanh()
        case "sigmoid": return x[0].sigmoid()
        case "relu": return x[0].relu()
        case "log": return x[0].log()
        case "sqrt": return x[0].sqrt()
        case "pow": return x[0].pow(p.exponent!)
        case "sum_axes", "sum_axis1": return x[0].sum(axes: p.axes!, keepingDimensions: p.keep!)
        case "mean_all": return x[0].mean()
        case "max_axis1": return x[0].max(axis: p.axis!)
        case "softmax_axis1", "softmax_last": return x[0].softmax(axis: p.axis!)
        case "log_softmax_last": return x[0].logSoftmax(axis: p.axis!)
        case "matmul_broadcast": return x[0].matmul(x[1])
        case "matmul_b_transposed": return x[0].matmul(x[1].transposed())
        case "concat_axis1": return Tensor.concatenate(x, axis: p.axis!)
        case "index_select": return x[0].indexSelect(axis: p.axis!, p.indices!)
        case "gather_axis1": return x[0].gather(axis: p.axis!, indices: p.indices!, count: p.count!)
        case "where": return Tensor.where(BoolTensor(shape: p.conditionShape!, values: p.condition!), x[0], x[1])
        case "transpose_contiguous": return x[0].permuted(p.order!).contiguous()
        default: fatalError("unknown fixture op \(c.op)")
        }
    }

    @Test("Float32 ops match NumPy", arguments: cases)
    func float32(_ c: Case) {
        let inputs = c.inputs.map { Tensor(shape: $0.shape, scalars: $0.data.map(Float.init)) }
        let y = Self.apply(c, inputs)
        #expect(y.shape == c.output.shape)
        #expect(y.dtype == .float32)
        for (got, want) in zip(y.doubles, c.output.data) {
            #expect(Swift.abs(got - want) <= 1e-5 + 1e-5 * Swift.abs(want), "\(c.op): \(got) vs \(want)")
        }
    }

    @Test("Float64 ops match NumPy to 1e-12", arguments: cases)
    func float64(_ c: Case) {
        let inputs = c.inputs.map { Tensor(shape: $0.shape, doubles: $0.data) }
        let y = Self.apply(c, inputs)
        #expect(y.shape == c.output.shape)
        #expect(y.dtype == .float64)
        for (got, want) in zip(y.doubles, c.output.data) {
            #expect(Swift.abs(got - want) <= 1e-12 + 1e-12 * Swift.abs(want), "\(c.op): \(got) vs \(want)")
        }
    }

    @Test("Every differentiable fixture op passes the gradient checker", arguments: cases)
    func gradients(_ c: Case) {
        let inputs = c.inputs.map { Tensor(shape: $0.shape, doubles: $0.data) }
        let r = GradientCheck.run(inputs) { Self.apply(c, $0) }
        #expect(r.maxRelativeError <= 1e-3, "\(c.op): \(r)")
    }
}
