/// A raw pointer that may cross into `Parallel.forEach` workers. The caller guarantees that workers write
/// disjoint elements; this box is the one place that promise is made.
package struct SendablePointer<T>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<T>
    package init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Read-only counterpart of ``SendablePointer``.
package struct SendableConstPointer<T>: @unchecked Sendable {
    package let base: UnsafePointer<T>
    package init(_ base: UnsafePointer<T>) { self.base = base }
    package init(_ base: UnsafeMutablePointer<T>) { self.base = UnsafePointer(base) }
}

/// A read-only untyped pointer that may cross into `Parallel.forEach` workers (packed kernel operands).
package struct SendableRawPointer: @unchecked Sendable {
    package let base: UnsafeRawPointer
    package init(_ base: UnsafeRawPointer) { self.base = base }
}
