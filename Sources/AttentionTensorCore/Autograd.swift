/// One recorded operation in the autograd graph (or a leaf that collects a gradient).
///
/// Nodes point to the nodes of their inputs, so the graph lives exactly as long as the tensors that can
/// reach it. A node's backward closure maps the gradient of its output to the gradients of its inputs, in order
/// (nil for an input that needs none); it runs with recording switched off.
public final class AutogradNode: @unchecked Sendable {
    let inputs: [AutogradNode?]
    let backward: ((Tensor) -> [Tensor?])?
    /// Accumulated gradient of a leaf after `backward()`.
    public internal(set) var grad: Tensor?
    init(inputs: [AutogradNode?], backward: ((Tensor) -> [Tensor?])?) {
        self.inputs = inputs
        self.backward = backward
    }

    var isLeaf: Bool { backward == nil }
}

/// Switches and entry points of reverse-mode differentiation.
public enum Autograd {
    /// Whether new operations are recorded. Task-local, so concurrent tasks do not interfere.
    @TaskLocal public static var isRecording: Bool = true

    /// A node for an op whose inputs are `inputs`, or nil when recording is off or no input needs gradients.
    /// Ops call this once, after computing their output; `backward` receives the output's gradient.
    public static func record(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> AutogradNode? {
        guard inputs.contains(where: { $0.node != nil }), isRecording else { return nil }
        return AutogradNode(inputs: inputs.map(\.node), backward: backward)
    }

    /// Gradients of `output` with respect to each tensor in `inputs` (zeros for inputs it does not depend on).
    /// `seed` is the gradient of the output; it defaults to ones. Leaf gradients are not touched.
    public static func gradients(of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil) -> [Tensor] {
        let table = propagate(from: output, seed: seed, accumulateIntoLeaves: false)
        return inputs.map { x in
            guard let n = x.node, let g = table[ObjectIdentifier(n)] else { return Tensor.zeros(x.shape, dtype: x.dtype) }
            return g
        }
    }

    /// Walks the graph below `output` in reverse topological order and returns the gradient reaching each node.
    static func propagate(from output: Tensor, seed: Tensor?, accumulateIntoLeaves: Bool) -> [ObjectIdentifier: Tensor] {
        guard let root = output.node else { return [:] }
        let seedGrad = seed ?? Tensor.ones(output.shape, dtype: output.dtype)
        precondition(seedGrad.shape == output.shape,
                     "backward: seed gradient shape \(seedGrad.shape) differs from output shape \(output.shape)")
        return $isRecording.withValue(false) {
            // Iterative depth-first post-order, so deep graphs (long recurrences) cannot overflow the stack.
            var order: [AutogradNode] = []
            var visited = Set<ObjectIdentifier>()
            var stack: [(AutogradNode, Bool)] = [(root, false)]
            while let (node, expanded) = stack.popLast() {
                if expanded { order.append(node); continue }
                if !visited.insert(ObjectIdentifier(node)).inserted { continue }
                stack.append((node, true))
                for case let child? in node.inputs where !visited.contains(ObjectIdentifier(child)) {
                    stack.append((child, false))
                }
            }
            var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedGrad]
            for node in order.reversed() {
                guard let g = grads[ObjectIdentifier(node)] else { continue }
                guard let backward = node.backward else {
                    if accumulateIntoLeaves { node.grad = node.grad.map { $0 + g } ?? g }
                    continue
                }
                let inputGrads = backward(g)
                precondition(inputGrads.count == node.inputs.count, "autograd: backward returned the wrong number of gradients")
                for (input, ig) in zip(node.inputs, inputGrads) {
                    guard let input, let ig else { continue }
                    let key = ObjectIdentifier(input)
                    grads[key] = grads[key].map { $0 + ig } ?? ig
                }
            }
            return grads
        }
    }
}

/// Runs `body` without recording operations for differentiation (inference, optimiser updates).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try Autograd.$isRecording.withValue(false) { try body() }
}

extension Tensor {
    /// Whether this tensor takes part in differentiation (is a leaf that requires gradients or was computed from one).
    public var requiresGradient: Bool { node != nil }

    /// A copy of this tensor that is a leaf of the autograd graph: `backward()` accumulates into its `gradient`.
    public func requiringGradient() -> Tensor {
        var t = self
        t.node = AutogradNode(inputs: [], backward: nil)
        return t
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// The gradient accumulated in this leaf by `backward()`, if any.
    public var gradient: Tensor? { node?.grad }

    /// Forget the accumulated gradient of this leaf.
    public func zeroGradient() { node?.grad = nil }

    /// Multiplies the accumulated gradient of this leaf by `factor` (gradient clipping).
    public func scaleGradient(by factor: Double) {
        guard let node, let g = node.grad else { return }
        node.grad = withoutGradients { g * factor }
    }

    /// Back-propagates from this tensor, accumulating into the `gradient` of every leaf below it.
    /// `seed` (the gradient of this tensor) defaults to ones, which for a scalar loss is d loss / d loss.
    public func backward(seed: Tensor? = nil) {
        _ = Autograd.propagate(from: self, seed: seed, accumulateIntoLeaves: true)
    }
}
