import Attention
import Foundation

/// The six linear matrices of a BERT encoder layer, by role (names as `--reduced-matrices` spells them).
public enum BertMatrix: String, Sendable, CaseIterable, Hashable {
    /// The attention's query, key and value projections.
    case query, key, value
    /// The attention's output projection.
    case attentionOutput = "attention-output"
    /// The feed-forward's two matrices (up and down).
    case intermediate, output
}

/// One matrix of one layer.
public struct BertMatrixSite: Sendable, Hashable, CustomStringConvertible {
    /// The layer, from 0.
    public var layer: Int
    /// Which of the layer's six matrices.
    public var matrix: BertMatrix
    /// The site of `matrix` in layer `layer`.
    public init(layer: Int, matrix: BertMatrix) { self.layer = layer; self.matrix = matrix }
    /// "layer.matrix", as `--reduced-matrices` spells it (e.g. "3.query").
    public var description: String { "\(layer).\(matrix.rawValue)" }
}

/// A bad `--reduced-matrices` list.
public struct BertMatrixSelectionError: Error, CustomStringConvertible {
    /// What was wrong with the list, naming the entry.
    public let description: String
}

/// A weight held in reduced precision beside the Float32 parameter it was made from.
enum ReducedWeight {
    case int8(QuantizedWeight)
    case bf16(BFloat16Weight)
}

extension BertModel {
    /// Every matrix of every layer.
    public var allMatrixSites: Set<BertMatrixSite> {
        Set((0..<layers.count).flatMap { l in BertMatrix.allCases.map { BertMatrixSite(layer: l, matrix: $0) } })
    }

    /// The matrices a precision reduces when no list is given. bf16: all. int8: all but the feed-forward output
    /// (`output`, 1536 → 384), whose input (GELU outputs) has per-token outliers that int8 cannot hold: measured on
    /// all-MiniLM-L6-v2 with Scripts/measure_int8_layers.py (BENCHMARKS.md), int8 `output` alone drops the minimum
    /// cosine on the fixture to 0.9965 even with smoothing, every other matrix alone stays ≥ 0.9992.
    public func defaultReducedSites(for precision: InferencePrecision) -> Set<BertMatrixSite> {
        switch precision {
        case .fp32: return []
        case .bf16: return allMatrixSites
        case .int8: return allMatrixSites.filter { $0.matrix != .output }
        }
    }

    /// Parses a comma-separated list of `ROLE` (that matrix in every layer), `LAYER.ROLE`, `LAYER` (all six of a
    /// layer) or `all`; ROLE is one of query, key, value, attention-output, intermediate, output.
    public func matrixSites(parsing list: String) throws(BertMatrixSelectionError) -> Set<BertMatrixSite> {
        var out = Set<BertMatrixSite>()
        let roles = BertMatrix.allCases.map(\.rawValue).joined(separator: ", ")
        for raw in list.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item == "all" { out.formUnion(allMatrixSites); continue }
            let parts = item.split(separator: ".", maxSplits: 1).map(String.init)
            var layers = Array(0..<self.layers.count), role: String? = item
            if let first = parts.first, let l = Int(first) {
                guard (0..<self.layers.count).contains(l) else {
                    throw BertMatrixSelectionError(description: "layer \(l) in '\(item)' is out of range (the model has \(self.layers.count) layers, 0...\(self.layers.count - 1))")
                }
                layers = [l]
                role = parts.count == 2 ? parts[1] : nil
            }
            let matrices: [BertMatrix]
            if let role {
                guard let m = BertMatrix(rawValue: role) else {
                    throw BertMatrixSelectionError(description: "expected all, ROLE, LAYER or LAYER.ROLE with ROLE one of \(roles); found '\(item)'")
                }
                matrices = [m]
            } else {
                matrices = BertMatrix.allCases
            }
            for l in layers { for m in matrices { out.insert(BertMatrixSite(layer: l, matrix: m)) } }
        }
        return out
    }

    /// Makes the linear layers at `sites` (default: `defaultReducedSites(for:)`) compute in `precision` from now on;
    /// the rest, and everything else of the model, stay Float32. `.fp32` drops every reduced copy (the model then
    /// computes exactly as before). Inference only: reduced matrices are not differentiated. Must not overlap a forward.
    ///
    /// The reduced weights are made from the Float32 parameters as they are now; call again after changing them.
    ///
    /// int8 with `calibration` (token ids of a few sentences, each with its special tokens): one Float32 forward over
    /// them records every matrix's largest input per channel, amax[k], and the matrix is quantised with SmoothQuant
    /// factors s[k] = √amax[k] / √max_n|W[n, k]| (α = ½): activation outliers (BERT's LayerNorm outputs have a
    /// few channels far larger than the rest) then no longer set the int8 step of every other channel. On top, the
    /// input channels whose calibrated amax[k] exceeds `outlierThreshold` (LLM.int8()'s 6 by default; nil: none) are
    /// split off and multiplied in Float32 (`QuantizedWeight(fp32Columns:)`): on all-MiniLM-L6-v2 that is 1–2 of 384
    /// channels in the attention inputs, 3–5 in the FFN up-projection's, 45 in all (BENCHMARKS.md has the measurements).
    public func setPrecision(_ precision: InferencePrecision, sites: Set<BertMatrixSite>? = nil, calibration: [[Int]]? = nil,
                             outlierThreshold: Float? = BertModel.defaultOutlierThreshold) {
        for layer in layers { layer.reduced = [:] }
        self.precision = .fp32
        let chosen = precision == .fp32 ? [] : (sites ?? defaultReducedSites(for: precision))
        var amax: [[BertMatrix: [Float]]] = Array(repeating: [:], count: layers.count)
        if precision == .int8, let calibration, !calibration.isEmpty {
            for layer in layers { layer.inputMaxima = [:] }
            withoutGradients {
                for ids in calibration where !ids.isEmpty {
                    _ = self(ids: ids, batch: 1, length: ids.count, lengths: [ids.count])
                }
            }
            for (l, layer) in layers.enumerated() { amax[l] = layer.inputMaxima ?? [:]; layer.inputMaxima = nil }
        }
        for (l, layer) in layers.enumerated() {
            var reduced: [BertMatrix: ReducedWeight] = [:]
            for m in BertMatrix.allCases where chosen.contains(BertMatrixSite(layer: l, matrix: m)) {
                let w = layer.linear(m).weight.value
                guard precision == .int8 else { reduced[m] = .bf16(BFloat16Weight(weight: w)); continue }
                var split: [Int] = []
                if let a = amax[l][m], let t = outlierThreshold { split = Self.outlierColumns(activationMax: a, threshold: t) }
                reduced[m] = .int8(QuantizedWeight(weight: w, smoothing: amax[l][m].map { Self.smoothing(activationMax: $0, weight: w) },
                                                   fp32Columns: split))
            }
            layer.reduced = reduced
        }
        self.precision = chosen.isEmpty ? .fp32 : precision
    }

    /// The calibrated input magnitude above which an int8 matrix's input channel is multiplied in Float32.
    public static let defaultOutlierThreshold: Float = 6

    /// The channels k with activationMax[k] > threshold, ascending (a pure function of its inputs: the same
    /// calibration gives the same split). NaN maxima are never outliers (a NaN makes the forward NaN anyway).
    static func outlierColumns(activationMax: [Float], threshold: Float) -> [Int] {
        activationMax.indices.filter { activationMax[$0] > threshold }
    }

    /// s[k] = √amax[k] / √max_n|W[n, k]|, both floored at 1e-5 (a channel that never fires, or a zero column).
    static func smoothing(activationMax: [Float], weight: Tensor) -> [Float] {
        let w = weight.scalars, k = weight.shape[1]
        var wmax = [Float](repeating: 0, count: k)
        for (i, v) in w.enumerated() { wmax[i % k] = Swift.max(wmax[i % k], Swift.abs(v)) }
        return (0..<k).map { c in (Swift.max(activationMax[c], 1e-5) / Swift.max(wmax[c], 1e-5)).squareRoot() }
    }
}

extension BertLayer {
    func linear(_ m: BertMatrix) -> Linear {
        switch m {
        case .query: return query
        case .key: return key
        case .value: return value
        case .attentionOutput: return attentionOutput
        case .intermediate: return intermediate
        case .output: return output
        }
    }

    /// activation(x·Wᵀ + b) with the matrix `m` in its precision. x [..., in] → [..., out].
    func project(_ m: BertMatrix, _ x: Tensor, activation: Activation? = nil) -> Tensor {
        let l = linear(m)
        if inputMaxima != nil { record(m, x) }
        guard let r = reduced[m] else { return activation.map { l(x, activation: $0) } ?? l(x) }
        switch r {
        case .int8(let q): return x.quantizedLinear(weight: q, bias: l.bias?.value, activation: activation)
        case .bf16(let w): return x.bfloat16Linear(weight: w, bias: l.bias?.value, activation: activation)
        }
    }

    /// Calibration: the largest |x[..., k]| seen per input channel of matrix `m`.
    private func record(_ m: BertMatrix, _ x: Tensor) {
        let k = x.shape.last!, v = x.scalars
        var best = inputMaxima![m] ?? [Float](repeating: 0, count: k)
        for (i, e) in v.enumerated() { best[i % k] = Swift.max(best[i % k], Swift.abs(e)) }
        inputMaxima![m] = best
    }
}
