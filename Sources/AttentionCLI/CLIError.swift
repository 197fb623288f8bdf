import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exit status of every command, one per kind of error (documented in the README and `attention --help`).
enum ExitStatus: Int32, CaseIterable {
    /// Done (also `--help` and `--version`).
    case success = 0
    /// An input was read but its content is not acceptable (invalid UTF-8, a malformed line, a broken model folder
    /// or tensor file), or the computation could not finish (a non-finite loss, a failed result check).
    case failure = 1
    /// The command line is wrong: an unknown command or option, a missing or malformed value, a number outside
    /// its documented range, a non-UTF-8 argument.
    case usage = 64
    /// An input named on the command line does not exist, cannot be opened, or is a file where a folder is
    /// expected (or the reverse).
    case noInput = 66
    /// An output cannot be created or written (a missing output folder, a full disk, standard output on
    /// /dev/full), or reading failed midway.
    case io = 74

    static let table = """
        Exit status:
          0   success (also --help and --version)
          1   data or runtime error: an input's content is not acceptable,
              or the computation failed
          64  usage error: unknown option, bad value, number out of range
          66  an input file or folder is missing, unreadable or the wrong kind
          74  I/O error: an output cannot be created or written
              (a missing output folder, a full disk, /dev/full)
        """
}

/// An error a command reports as its message alone (usage errors add the command's usage), with its exit status.
struct CLIError: Error, CustomStringConvertible {
    let status: ExitStatus
    let description: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        description = message
    }

    static func data(_ message: String) -> CLIError { CLIError(.failure, message) }
    static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }
    static func noInput(_ message: String) -> CLIError { CLIError(.noInput, message) }
    static func io(_ message: String) -> CLIError { CLIError(.io, message) }
}

/// Standard output, buffered here and written with `write(2)` so that every failure is seen: `print` leaves a
/// failed write in the C stream's error flag, which nobody checks, and the command would exit 0 with its output lost
/// (`attention demo > /dev/full`).
enum Output {
    nonisolated(unsafe) private static var buffer: [UInt8] = []
    nonisolated(unsafe) private static var failure: Int32 = 0

    /// Appends `text` and a line end.
    static func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends `text` as it is (no line end): streamed output, flushed by the caller.
    static func text(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes the buffer out; the first error is kept and later output is dropped.
    static func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == 0 else { return }
        if let error = writeAll(STDOUT_FILENO, buffer) { failure = error }
    }

    /// The write error of standard output, as exit status 74, after a final flush.
    static func finish() -> CLIError? {
        flush()
        return failure == 0 ? nil : .io("cannot write to standard output: \(String(cString: strerror(failure)))")
    }

    /// Writes every byte to `fd` (retrying short writes and EINTR); the errno of a failure, or nil.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return nil
    }
}

/// Standard error: warnings, notes and errors, unbuffered.
enum Console {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Writes `text` to standard error (nothing more can be done when that fails).
    static func raw(_ text: String) {
        Output.flush()   // keeps the order of standard output and standard error on a terminal
        _ = Output.writeAll(STDERR_FILENO, Array(text.utf8))
    }

    static func note(_ text: String) { raw(text + "\n") }

    /// A one-line warning about something the command changed or assumed on the user's behalf.
    static func warning(_ text: String) { raw("warning: \(text)\n") }

    /// Prints `error` and exits with its status. Usage errors found while running show the failing command's
    /// own usage (not the top-level one).
    static func fail(_ error: CLIError, command: ParsableCommand.Type?) -> Never {
        Output.flush()
        var text = "Error: \(error.description)\n"
        if error.status == .usage, let command {
            let name = AttentionCommand.commandPath(of: command)
            text += "Usage: " + AttentionCommand.usageString(for: command) + "\n  See '\(name) --help' for more information.\n"
        }
        raw(text)
        exit(error.status.rawValue)
    }
}

/// A progress bar on standard error: only when it is a terminal, never with `--quiet`, and only for inputs long
/// enough to wait for.
struct ProgressBar {
    let total: Int
    let enabled: Bool

    init(total: Int, quiet: Bool) {
        self.total = total
        enabled = !quiet && total >= 64 && Console.stderrIsTerminal
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let width = 30, filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Console.raw("\r[\(bar)] \(done)/\(total)" + (done == total ? "\n" : ""))
    }
}
