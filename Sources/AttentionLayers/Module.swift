import AttentionTensorCore

/// A trainable tensor owned by a module. Modules hold parameters by reference so an optimiser can update them
/// in place by name; the value itself is an ordinary ``Tensor`` leaf of the autograd graph.
public final class Parameter {
    private var stored: Tensor

    /// The current value. Assigning makes it a fresh autograd leaf (its accumulated gradient is dropped).
    public var value: Tensor {
        get { stored }
        set { stored = newValue.detached().requiringGradient(); version &+= 1 }
    }

    /// Changes whenever the value is replaced or modified (every write goes through the setter or `bind`), so
    /// a layer can cache something derived from the value, e.g. a packed weight.
    public private(set) var version = 0

    /// A parameter holding a detached copy of `value` that requires a gradient.
    public init(_ value: Tensor) { stored = value.detached().requiringGradient() }

    /// Uses `tensor` as the value exactly as given, keeping its place in an autograd graph: gradient checks and
    /// functional transforms differentiate through parameters this way.
    public func bind(_ tensor: Tensor) { stored = tensor; version &+= 1 }

    /// Gradient accumulated by the last `backward()`, if any.
    public var gradient: Tensor? { stored.gradient }
    /// Drops the accumulated gradient.
    public func zeroGradient() { stored.zeroGradient() }
    /// Multiplies the accumulated gradient by `factor` (gradient clipping).
    public func scaleGradient(by factor: Double) { stored.scaleGradient(by: factor) }
}

extension GradientCheck {
    /// Checks the gradients of `function` with respect to `inputs` and every parameter of `module` (all in Float64).
    /// The module's parameters are restored afterwards.
    public static func run(module: Module, inputs: [Tensor], _ function: ([Tensor]) -> Tensor) -> Result {
        let params = module.parameters
        let originals = params.map(\.value)
        defer { for (p, v) in zip(params, originals) { p.value = v } }
        let n = inputs.count
        return run(inputs + originals) { xs in
            for (p, x) in zip(params, xs[n...]) { p.bind(x) }
            return function(Array(xs[..<n]))
        }
    }
}

/// Errors when loading named tensors (state dicts, checkpoints) into a module.
public enum ModuleLoadError: Error, CustomStringConvertible, Equatable {
    /// Parameters the state dict does not hold (our names).
    case missing([String])
    /// Tensors of the state dict that no parameter takes.
    case unexpected([String])
    /// A tensor whose shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    /// The message, naming the tensor and the shapes.
    public var description: String {
        switch self {
        case .missing(let names): return "missing parameters: \(names.joined(separator: ", "))"
        case .unexpected(let names): return "unexpected tensors (no parameter of that name): \(names.joined(separator: ", "))"
        case let .shapeMismatch(name, expected, found): return "parameter \(name): expected shape \(expected), found \(found)"
        }
    }
}

/// Base class of layers: named parameters (a dotted path per parameter, e.g.
/// `layers.0.selfAttention.queryProjection.weight`), child modules, train/eval mode and state-dict export/import.
///
/// Subclasses override `ownParameters` and `children`; everything else is derived from those two lists.
///
/// Concurrency: in evaluation mode (`eval()`) a forward pass changes no state but `Linear`'s locked packed-weight
/// cache, so one module may serve forwards from many threads at once, each getting the single-threaded result bit
/// for bit. Training mode (dropout draws), optimiser steps, `load(stateDict:)`, `convert(to:)` and assigning a
/// parameter mutate the module and must not overlap any other use of it. Modules are not `Sendable` because of
/// those mutations; a caller that shares one for inference says so at the boundary (e.g. an `@unchecked Sendable`
/// box holding the evaluation-mode model).
///
/// ```swift
/// let layer = Linear(inputSize: 4, outputSize: 2, rng: &rng)
/// print(layer.namedParameters().map(\.0))   // ["weight", "bias"]
/// ```
open class Module {
    /// Whether the module is in training mode (dropout on); see `train(_:)` and `eval()`.
    public private(set) var isTraining = true

    /// A module with no parameters or children (subclasses add theirs).
    public init() {}

    /// This module's own parameters, by local name.
    open var ownParameters: [(String, Parameter)] { [] }
    /// Sub-modules, by local name (numbered lists use "0", "1", …).
    open var children: [(String, Module)] { [] }

    /// Every parameter below this module with its dotted path, in a stable order.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        var out = ownParameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// Every parameter below this module, in `namedParameters(prefix:)` order (what an optimiser takes).
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Switches this module and all below it to training (dropout on) or evaluation mode.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, c) in children { c.train(on) }
    }

    /// Evaluation mode for this module and all below it (dropout off): `train(false)`.
    public func eval() { train(false) }

    /// Drops the accumulated gradient of every parameter below this module.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Converts every parameter to `dtype` (Float64 for reference runs and gradient checks).
    public func convert(to dtype: DType) { for p in parameters { p.value = p.value.cast(to: dtype) } }

    /// Parameter values by path.
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.0, $0.1.value.detached()) })
    }

    /// Replaces parameter values by path. With `strict`, every parameter must be given and nothing else;
    /// shapes must match. On any error nothing is changed.
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws {
        let named = namedParameters()
        let known = Set(named.map(\.0))
        if strict {
            let missing = named.map(\.0).filter { stateDict[$0] == nil }
            if !missing.isEmpty { throw ModuleLoadError.missing(missing) }
            let unexpected = stateDict.keys.filter { !known.contains($0) }.sorted()
            if !unexpected.isEmpty { throw ModuleLoadError.unexpected(unexpected) }
        }
        for (name, p) in named {
            if let t = stateDict[name], t.shape != p.value.shape {
                throw ModuleLoadError.shapeMismatch(name: name, expected: p.value.shape, found: t.shape)
            }
        }
        for (name, p) in named { if let t = stateDict[name] { p.value = t.cast(to: p.value.dtype) } }
    }
}

/// Uniform initialisation in ±1/√fanIn, as PyTorch's `nn.Linear` default.
func kaimingUniform(_ shape: [Int], fanIn: Int, rng: inout RandomGenerator) -> Tensor {
    let bound = 1 / Double(max(fanIn, 1)).squareRoot()
    return Tensor.randomUniform(shape, low: -bound, high: bound, using: &rng)
}
