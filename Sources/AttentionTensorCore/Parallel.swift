import Dispatch
import Foundation
import Synchronization

/// The worker pool used by every multi-threaded op.
///
/// `threadCount` defaults to the environment variable `ATTENTION_NUM_THREADS` when set, else the number of
/// active cores. Work is handed out dynamically (each worker claims the next index), so uneven items (causal
/// attention rows) balance themselves.
public enum Parallel {
    private static let configured = Atomic<Int>(0)

    /// Number of threads ops may use (≥ 1).
    public static var threadCount: Int {
        get {
            let n = configured.load(ordering: .relaxed)
            return n > 0 ? n : defaultThreadCount
        }
        set { configured.store(Swift.max(1, newValue), ordering: .relaxed) }
    }

    static let defaultThreadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["ATTENTION_NUM_THREADS"], let n = Int(text), n > 0 { return n }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(i)` for every i in 0..<count on up to `threadCount` threads; returns when all are done.
    public static func forEach(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> Void) {
        run(count, threads: threads, workspaceBytes: 0) { i, _ in body(i) }
    }

    /// Runs `body(i, workspace)` for every i in 0..<count, as ``forEach(_:threads:_:)`` does, giving each worker
    /// one 64-byte-aligned scratch buffer of at least `workspaceBytes` for all the items it claims. Items must not
    /// depend on which worker runs them (each initialises the workspace it reads), so results do not depend on the
    /// thread count or the schedule.
    public static func forEach(_ count: Int, threads: Int? = nil, workspaceBytes: Int,
                               _ body: @Sendable (Int, UnsafeMutableRawPointer) -> Void) {
        run(count, threads: threads, workspaceBytes: Swift.max(workspaceBytes, 64), body)
    }

    // The one scheduler: `workers` threads claim the next index from a shared counter (dynamic, so uneven items
    // such as causal rows balance themselves); a workspace per worker when asked for one.
    private static func run(_ count: Int, threads: Int?, workspaceBytes: Int,
                            _ body: @Sendable (Int, UnsafeMutableRawPointer) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.min(count, threads ?? threadCount)
        @Sendable func work(_ next: () -> Int) {
            func loop(_ workspace: UnsafeMutableRawPointer) {
                while true {
                    let i = next()
                    if i >= count { return }
                    body(i, workspace)
                }
            }
            if workspaceBytes == 0 {   // plain forEach: no heap allocation per call
                withUnsafeTemporaryAllocation(byteCount: 64, alignment: 64) { loop($0.baseAddress!) }
            } else {
                let workspace = UnsafeMutableRawPointer.allocate(byteCount: workspaceBytes, alignment: 64)
                defer { workspace.deallocate() }
                loop(workspace)
            }
        }
        if workers <= 1 {
            var i = 0
            work { defer { i += 1 }; return i }
            return
        }
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            work { next.value.add(1, ordering: .relaxed).oldValue }
        }
    }

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
