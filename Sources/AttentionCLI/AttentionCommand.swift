import ArgumentParser
import Attention
import Foundation

@main
struct AttentionCommand: ParsableCommand {
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Attention mechanisms and Transformers on the CPU.",
        discussion: """
            Text input: --file/--corpus take a path, or - for standard input; UTF-8 only (an invalid byte is an \
            error naming the file, line and byte offset); LF, CRLF or CR line ends; blank lines are skipped where \
            lines are items. Results go to standard output, errors and warnings to standard error; progress bars \
            appear only when standard error is a terminal, never with --quiet.

            \(ExitStatus.table)
            """,
        version: version,
        subcommands: [DemoCommand.self, BenchCommand.self, RunCommand.self, EmbedCommand.self, TokenizeCommand.self, SimilarityCommand.self, SearchCommand.self, ExplainCommand.self, TranslateCommand.self, ClassifyCommand.self, DigitsCommand.self, CaptionCommand.self, ListenCommand.self, LMCommand.self]
    )

    /// Parses, runs, and maps every error to its exit status (see ``ExitStatus``). ArgumentParser's own `main`
    /// reports an error thrown while running with the top-level usage and exit 64 or 1 by the error's type; here
    /// parse errors keep ArgumentParser's messages (with the failing command's usage), and run errors print their
    /// message alone, with the status of their kind.
    static func main() {
        Startup.warnAboutEnvironment()
        do { try TextInput.checkArguments() } catch { Console.fail(error, command: nil) }
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        let type = Swift.type(of: command)
        // A path the user asked for and cannot have: measuring or testing the wrong path silently would mislead.
        if let problem = CPUKernels.environmentProblem(ProcessInfo.processInfo.environment) {
            Console.fail(CLIError.usage(problem), command: type)
        }
        do {
            try command.run()
        } catch let error as CLIError {
            Console.fail(error, command: type)
        } catch let error as ValidationError {
            Console.fail(.usage(error.message), command: type)
        } catch {
            // Help and version requests (parseAsRoot returns a command whose run() throws them), ExitCode,
            // CleanExit, and any other error: ArgumentParser's handling, which prints no usage for these (exit 1).
            Output.flush()
            exit(withError: error)
        }
        if let error = Output.finish() { Console.fail(error, command: nil) }
        exit(withError: nil)
    }

    /// "attention bench gemm" for `GEMMCommand.self`.
    static func commandPath(of command: ParsableCommand.Type) -> String {
        func search(_ node: ParsableCommand.Type, _ path: [String]) -> [String]? {
            let here = path + [node._commandName]
            if node == command { return here }
            for child in node.configuration.subcommands { if let found = search(child, here) { return found } }
            return nil
        }
        return (search(self, []) ?? ["attention"]).joined(separator: " ")
    }
}

/// Checks made once when the tool starts.
enum Startup {
    /// `ATTENTION_NUM_THREADS` that TensorCore's `Parallel` ignores (it accepts a positive integer only and
    /// silently falls back to every core): said on stderr, since the user set it for a reason.
    static func warnAboutEnvironment() {
        guard let text = ProcessInfo.processInfo.environment["ATTENTION_NUM_THREADS"] else { return }
        if let n = Int(text), n > 0 { return }
        let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
        Console.warning("ATTENTION_NUM_THREADS=\(text) is not a positive integer; ignored, using all \(cores) cores")
    }
}
