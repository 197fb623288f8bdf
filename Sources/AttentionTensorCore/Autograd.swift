/// One recorded operation in the autograd graph (or a leaf that collects a gradient).
///
/// Nodes point to the nodes of their inputs, so the graph lives exactly as long as the tensors that can
/// reach it. A node's backward closure maps the gradient of its output to the gradients of its inputs, in order
/// (nil for an input that needs none); it runs with recording switched off.
public final class AutogradNode: @unchecked Sendable {
    let inputs: [AutogradNode?]
    let backward: ((Tensor) -> [Tensor?])?
    /// Set on the node of a slice view: the engine writes the slice's gradient straight into its region of the
    /// input's gradient instead of calling `backward` (which would build a zero tensor of the input's shape).
    let region: SliceRegion?
    /// Accumulated gradient of a leaf after `backward()`.
    public internal(set) var grad: Tensor?
    init(inputs: [AutogradNode?], backward: ((Tensor) -> [Tensor?])?, region: SliceRegion? = nil) {
        self.inputs = inputs
        self.backward = backward
        self.region = region
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

    /// The node of a slice view of `input`: like ``record(inputs:backward:)``, but the engine adds the gradient
    /// into its region of the input's gradient itself; `backward` (the zero-tensor form) is kept for reference.
    static func recordSlice(of input: Tensor, _ region: SliceRegion, backward: @escaping (Tensor) -> [Tensor?]) -> AutogradNode? {
        guard input.node != nil, isRecording else { return nil }
        return AutogradNode(inputs: [input.node], backward: backward, region: region)
    }

    /// Gradients of `output` with respect to each tensor in `inputs` (zeros for inputs it does not depend on).
    /// `seed` is the gradient of the output; it defaults to ones. Leaf gradients are not touched.
    public static func gradients(of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil) -> [Tensor] {
        let table = propagate(from: output, seed: seed, accumulateIntoLeaves: false, keepAll: true)
        return inputs.map { x in
            guard let n = x.node, let g = table[ObjectIdentifier(n)] else { return Tensor.zeros(x.shape, dtype: x.dtype) }
            return g
        }
    }

    /// Walks the graph below `output` in reverse topological order and returns the gradient reaching each node.
    /// `keepAll`: return every node's gradient (for ``gradients(of:withRespectTo:seed:)``); otherwise each is
    /// released as soon as it has been passed on, so a training step holds only the gradients still in flight.
    static func propagate(from output: Tensor, seed: Tensor?, accumulateIntoLeaves: Bool, keepAll: Bool) -> [ObjectIdentifier: Tensor] {
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
            // What reached each node so far; a node's sum is final when the walk reaches it (reverse topological
            // order), and `backward()` drops it once used unless a caller asked for it.
            var grads: [ObjectIdentifier: GradientSum] = [ObjectIdentifier(root): .tensor(seedGrad, owned: false)]
            var kept: [ObjectIdentifier: Tensor] = [:]
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard let sum = grads.removeValue(forKey: id) else { continue }
                let g = sum.finished()
                if keepAll { kept[id] = g }
                guard let backward = node.backward else {
                    if accumulateIntoLeaves { node.grad = node.grad.map { $0 + g } ?? g }
                    continue
                }
                if let region = node.region, let input = node.inputs[0] {
                    let key = ObjectIdentifier(input)
                    grads[key] = GradientSum.adding(region: g, at: region, to: grads.removeValue(forKey: key))
                    continue
                }
                let inputGrads = backward(g)
                precondition(inputGrads.count == node.inputs.count, "autograd: backward returned the wrong number of gradients")
                for (input, ig) in zip(node.inputs, inputGrads) {
                    guard let input, let ig else { continue }
                    let key = ObjectIdentifier(input)
                    grads[key] = GradientSum.adding(ig, to: grads.removeValue(forKey: key))
                }
            }
            return kept
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
        _ = Autograd.propagate(from: self, seed: seed, accumulateIntoLeaves: true, keepAll: false)
    }
}
