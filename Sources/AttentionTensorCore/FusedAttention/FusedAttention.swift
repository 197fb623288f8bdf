import AttentionCKernels

/// The C-facing half of fused (FlashAttention-2 style) attention: the kernels of `AttentionCKernels/flash_*` driven
/// over a problem's heads and blocks, with no autograd and no knowledge of ``AttentionMask``'s cases. The public
/// operation, its autograd, its mask lowering and its documentation are `FlashAttention` in the `Attention` module;
/// this type is `package`, the one door through which attention reaches the C kernels.
///
/// Shapes: query [B, H, L, E], key [B, Hkv, S, E], value [B, Hkv, S, Ev]; query head h reads key/value head
/// h / G with G = H / Hkv. Outputs [B, H, L, Ev]; row statistics [B, H, L].
package enum FusedAttention {
    /// Dimensions and scalar settings of one fused attention call.
    package struct Problem: Sendable {
        package let b, h, hkv, l, s, e, ev: Int
        package let scale: Float
        /// Dropout probability (0 = none) and the seed of its counter-based keep decisions.
        package let dropProbability: Double
        package let dropSeed: UInt64
        /// The CPU path every kernel of this operation runs (resolved once, so block sizes never mix).
        package let path: CPUKernels.Path

        /// `path` nil = this process's active path (see ``CPUKernels``); a path the flash kernels lack falls back
        /// to the best one they have.
        package init(b: Int, h: Int, hkv: Int, l: Int, s: Int, e: Int, ev: Int, scale: Float,
                     dropProbability: Double = 0, dropSeed: UInt64 = 0, path: CPUKernels.Path? = nil) {
            (self.b, self.h, self.hkv, self.l, self.s, self.e, self.ev) = (b, h, hkv, l, s, e, ev)
            self.scale = scale
            self.dropProbability = dropProbability
            self.dropSeed = dropSeed
            self.path = FusedAttention.resolvedPath(path)
        }

        var isa: ck_isa { path.isa }
        var config: ck_flash_config { ck_flash_get_config(isa) }
        package var group: Int { h / hkv }

        /// Dropout as the kernels test it: keep ⇔ (hash >> 11) ≥ ⌈p·2⁵³⌉, which equals Swift's
        /// `Double(hash >> 11) · 2⁻⁵³ ≥ p` exactly (scaling by a power of two is exact). 0 = no dropout.
        var dropThreshold: UInt64 { dropProbability > 0 ? UInt64((dropProbability * 0x1p53).rounded(.up)) : 0 }
        var dropScale: Float { dropProbability > 0 ? Float(1 / (1 - dropProbability)) : 1 }

        /// The kernel's view of slice (b, h): sizes, scale, mask pointers for that slice, dropout.
        func head(_ b: Int, _ h: Int, _ mask: MaskPointers) -> ck_flash_head {
            ck_flash_head(isa: isa, L: Int64(l), S: Int64(s), E: Int64(e), Ev: Int64(ev), scale: scale,
                          key_lo: mask.lo.map { $0 + b * l }, key_hi: mask.hi.map { $0 + b * l },
                          bias: mask.bias.map { $0 + b * mask.strides.batch + h * mask.strides.head },
                          bias_rs: Int64(mask.strides.row),
                          drop_threshold: dropThreshold, drop_seed: dropSeed,
                          drop_base: UInt64((b * self.h + h) * l) &* UInt64(s), drop_scale: dropScale)
        }
    }

    /// The forward's per-row statistics, [B, H, L] each: the row max m of the scores and the row sum
    /// l = Σ_j e^(s_ij − m), so that a recomputed weight is e^(s − m) / l (+∞ and 1 for a row that sees no key).
    package struct RowStats: @unchecked Sendable {
        package var rowMax: Tensor
        package var rowSum: Tensor
    }

    /// The path the flash kernels take for `path` (nil = the active one): the same, or the best they have.
    package static func resolvedPath(_ path: CPUKernels.Path?) -> CPUKernels.Path {
        CPUKernels.Path(ck_flash_resolve_isa(path?.isa ?? CK_ISA_AUTO)) ?? .scalar
    }

    /// Query rows per block of the forward kernel on `path` for a query length of `rows` (short blocks for short
    /// sequences where the path has them).
    package static func forwardRows(_ path: CPUKernels.Path, rows: Int) -> Int {
        Int(ck_flash_forward_rows(path.isa, Int64(rows)))
    }

    /// The main forward block height of `path` (its configuration's `fwd_rows`).
    package static func mainForwardRows(_ path: CPUKernels.Path) -> Int { Int(ck_flash_get_config(path.isa).fwd_rows) }
}

// MARK: - Operands as the kernels read them

/// Raw mask arrays of a lowered mask that may cross into workers (valid inside `ResolvedAttentionMask.withPointers`).
struct MaskPointers: @unchecked Sendable {
    let lo: UnsafePointer<Int32>?
    let hi: UnsafePointer<Int32>?
    let bias: UnsafePointer<Float>?
    let strides: (batch: Int, head: Int, row: Int)
}

extension ResolvedAttentionMask {
    func withKernelPointers<R>(_ body: (MaskPointers) -> R) -> R {
        withPointers { lo, hi, bias in body(MaskPointers(lo: lo, hi: hi, bias: bias, strides: biasStrides)) }
    }
}

/// Writable pointers to ``FusedAttention/RowStats`` storage for the kernels.
struct StatsPointers: @unchecked Sendable {
    let max: UnsafeMutablePointer<Float>
    let sum: UnsafeMutablePointer<Float>
}

/// A rank-4 Float32 operand addressed by rows: element (b, h, i, c) at base + b·sb + h·sh + i·ld + c.
/// Read in place (views with a unit last stride are not copied).
struct FlashRows: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let sb, sh, ld: Int

    @inline(__always) func at(_ b: Int, _ h: Int) -> UnsafePointer<Float> { base + b * sb + h * sh }

    /// Calls `body` with row views of `tensors` (each rank 4, or rank 3 read as [.., 1]; Float32), nesting
    /// their lifetimes.
    static func with<R>(_ tensors: [Tensor], _ body: ([FlashRows]) -> R) -> R {
        func nest(_ i: Int, _ acc: [FlashRows]) -> R {
            if i == tensors.count { return body(acc) }
            var t = tensors[i].detached()
            if t.rank == 3 { t = t.reshaped(t.shape + [1]) }   // per-row statistics [B, H, L]
            if t.strides[3] != 1 && t.shape[3] > 1 { t = t.contiguous() }
            return t.withUnsafeStridedScalars(Float.self) { p, st in
                nest(i + 1, acc + [FlashRows(base: p, sb: st[0], sh: st[1], ld: st[2])])
            }
        }
        return nest(0, [])
    }
}

/// A contiguous Float32 output [B, H, rows, cols] being written by workers (disjoint slices per item).
struct FlashOutput: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let heads, rows, cols: Int

    @inline(__always) func at(_ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> { base + (b * heads + h) * rows * cols }
}

extension FusedAttention.Problem {
    /// Workspace bytes of any flash kernel for this problem's head dims E, Ev.
    var workspaceBytes: Int { Int(ck_flash_workspace_size(Int64(e), Int64(ev))) }
}
