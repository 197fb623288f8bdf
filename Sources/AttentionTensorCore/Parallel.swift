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
        let workers = Swift.min(count, threads ?? threadCount)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.value.add(1, ordering: .relaxed).oldValue
                if i >= count { return }
                body(i)
            }
        }
    }

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}

/// A raw pointer that may cross into `Parallel.forEach` workers. The caller guarantees that workers write
/// disjoint elements; this box is the one place that promise is made.
public struct SendablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Read-only counterpart of ``SendablePointer``.
public struct SendableConstPointer<T>: @unchecked Sendable {
    public let base: UnsafePointer<T>
    public init(_ base: UnsafePointer<T>) { self.base = base }
    public init(_ base: UnsafeMutablePointer<T>) { self.base = UnsafePointer(base) }
}

/// A read-only untyped pointer that may cross into `Parallel.forEach` workers (packed kernel operands).
public struct SendableRawPointer: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public init(_ base: UnsafeRawPointer) { self.base = base }
}
