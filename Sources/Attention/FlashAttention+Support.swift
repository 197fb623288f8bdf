import AttentionCKernels
import Synchronization
import AttentionTensorCore

/// Dimensions and scalar settings of one fused attention call: query [B, H, L, E], key [B, Hkv, S, E],
/// value [B, Hkv, S, Ev]; query head h reads key/value head h / G with G = H / Hkv.
struct FlashProblem: Sendable {
    let b, h, hkv, l, s, e, ev: Int
    let scale: Float
    let dropout: AttentionDropout?
    /// The CPU path every kernel of this operation runs (resolved once, so block sizes never mix).
    let isa: ck_isa
    var config: ck_flash_config { ck_flash_get_config(isa) }

    var group: Int { h / hkv }

    /// Dropout as the kernels test it: keep ⇔ (hash >> 11) ≥ ⌈p·2⁵³⌉, which equals Swift's
    /// `Double(hash >> 11) · 2⁻⁵³ ≥ p` exactly (scaling by a power of two is exact). 0 = no dropout.
    var dropThreshold: UInt64 {
        guard let p = dropout?.probability, p > 0 else { return 0 }
        return UInt64((p * 0x1p53).rounded(.up))
    }

    var dropScale: Float {
        guard let p = dropout?.probability, p > 0 else { return 1 }
        return Float(1 / (1 - p))
    }

    /// The kernel's view of slice (b, h): sizes, scale, mask pointers for that slice, dropout.
    func head(_ b: Int, _ h: Int, _ mask: FlashMaskPointers) -> ck_flash_head {
        ck_flash_head(isa: isa, L: Int64(l), S: Int64(s), E: Int64(e), Ev: Int64(ev), scale: scale,
                      key_lo: mask.lo.map { $0 + b * l }, key_hi: mask.hi.map { $0 + b * l },
                      bias: mask.bias.map { $0 + b * mask.strides.batch + h * mask.strides.head },
                      bias_rs: Int64(mask.strides.row),
                      drop_threshold: dropThreshold, drop_seed: dropout?.seed ?? 0,
                      drop_base: UInt64((b * self.h + h) * l) &* UInt64(s), drop_scale: dropScale)
    }
}

/// The forward's per-row statistics, [B, H, L] each: the row max m of the scores and the row sum
/// l = Σ_j e^(s_ij − m), so that a recomputed weight is e^(s − m) / l (+∞ and 1 for a row that sees no key).
struct FlashRowStats: @unchecked Sendable {
    var rowMax: Tensor
    var rowSum: Tensor
}

/// Writable pointers to ``FlashRowStats`` storage for the kernels.
struct FlashStatsPointers: @unchecked Sendable {
    let max: UnsafeMutablePointer<Float>
    let sum: UnsafeMutablePointer<Float>
}

/// Raw mask arrays of a ``FlashMask`` that may cross into workers (valid inside `FlashMask.withPointers`).
struct FlashMaskPointers: @unchecked Sendable {
    let lo: UnsafePointer<Int32>?
    let hi: UnsafePointer<Int32>?
    let bias: UnsafePointer<Float>?
    let strides: (batch: Int, head: Int, row: Int)
}

extension FlashMask {
    func withKernelPointers<R>(_ body: (FlashMaskPointers) -> R) -> R {
        withPointers { lo, hi, bias in body(FlashMaskPointers(lo: lo, hi: hi, bias: bias, strides: biasStrides)) }
    }
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

/// Runs work items over `Parallel.threadCount` workers with dynamic scheduling (each worker claims the next
/// item), giving each worker one 64-byte-aligned workspace for all its items. Items must not depend on which
/// worker runs them (every kernel initialises the workspace it reads), so results do not depend on the thread
/// count or the schedule.
enum FlashScheduler {
    private final class Counter: Sendable {
        let next = Atomic<Int>(0)
    }

    static func run(_ count: Int, workspaceBytes: Int, _ body: @Sendable (Int, UnsafeMutableRawPointer) -> Void) {
        guard count > 0 else { return }
        let counter = Counter()
        Parallel.forEach(min(count, Parallel.threadCount)) { _ in
            let workspace = UnsafeMutableRawPointer.allocate(byteCount: max(workspaceBytes, 64), alignment: 64)
            defer { workspace.deallocate() }
            while true {
                let k = counter.next.add(1, ordering: .relaxed).oldValue
                if k >= count { return }
                body(k, workspace)
            }
        }
    }

    /// Workspace bytes of any flash kernel for head dims E, Ev.
    static func workspaceBytes(_ p: FlashProblem) -> Int { Int(ck_flash_workspace_size(Int64(p.e), Int64(p.ev))) }
}
