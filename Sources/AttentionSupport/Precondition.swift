// AttentionSupport is the package's internal support: what several modules need and none should own (this file,
// `AtomicFile`, `StrictJSON`, the sendable pointer boxes). Everything in it is `package`: none of it is public API.

/// API-misuse checks that keep their message in every build.
///
/// The standard library's `precondition` drops its message in optimised (`-O`) builds: a release user whose shapes
/// do not match would see a bare "Illegal instruction". Our policy (DESIGN.md) is that misuse stops with a message
/// naming both shapes, so these two functions, which shadow the standard ones in every module of the package that
/// imports AttentionSupport (AttentionTensorCore re-exports it), stop through `fatalError`, whose message is printed
/// in debug and release alike. The message closure is evaluated only on failure, so the check costs one branch.
@inlinable @inline(__always)
package func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                         file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Stops with `message` in every build (see ``precondition(_:_:file:line:)``).
@inlinable
package func preconditionFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #file,
                                line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
