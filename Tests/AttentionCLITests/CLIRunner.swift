import Foundation

/// Runs the `attention` executable built next to the test bundle and captures its output.
enum CLI {
    struct Result {
        let status: Int32
        /// True when the process ended by a signal (`status` is then the signal number).
        let signaled: Bool
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        // ATTENTION_CLI_UNDER_TEST runs these tests against another build (e.g. the one before a fix).
        if let path = ProcessInfo.processInfo.environment["ATTENTION_CLI_UNDER_TEST"] { return URL(fileURLWithPath: path) }
        // The test bundle and the executable are built into the same products directory.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("attention")
    }

    /// Runs `attention arguments…`.
    /// - Parameters:
    ///   - stdin: bytes piped to standard input (nil: /dev/null, so that no test waits on a terminal).
    ///   - stdoutPath: a file standard output goes to instead of a pipe (e.g. /dev/full).
    ///   - environment: variables added to the test's environment.
    ///   - shell: a /bin/sh script run instead, with $0 the executable and $1… the arguments (for arguments a Swift
    ///     String cannot hold, such as invalid UTF-8 made with printf).
    static func run(_ arguments: [String], stdin: Data? = nil, stdoutPath: String? = nil,
                    environment: [String: String] = [:], shell: String? = nil) throws -> Result {
        // A child that exits without reading its input must not kill the test runner with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell, executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        var outFile: FileHandle?
        if let stdoutPath {
            outFile = FileHandle(forWritingAtPath: stdoutPath)
            process.standardOutput = outFile
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            // Written from another thread: a child that does not read (or reads slowly) cannot block the test.
            let writer = input.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
            }
        }
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let o = stdoutPath == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? outFile?.close()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
