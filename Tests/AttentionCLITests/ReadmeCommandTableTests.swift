import Foundation
import Testing

/// Issue 15 item 14: the README's command table lists every option of every command (it missed several), so a
/// new option cannot ship undocumented. Options are read from each command's own `--help`.
struct ReadmeCommandTableTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    @Test("every option in --help appears in the command's README row", arguments: [
        ["demo"], ["translate"], ["translate", "sentences"], ["translate", "train"], ["translate", "eval"], ["translate", "run"],
        ["translate", "corpus"], ["run"], ["embed"], ["tokenize"], ["similarity"], ["search"], ["explain"],
        ["bench", "gemm"], ["bench", "attention"], ["bench", "encoder-layer"],
        ["classify", "train"], ["classify", "eval"], ["classify", "run"], ["classify", "corpus"],
        ["digits", "train"], ["digits", "eval"], ["digits", "run"],
        ["caption", "train"], ["caption", "eval"], ["caption", "run"],
        ["listen", "train"], ["listen", "eval"], ["listen", "run"],
        ["lm", "train"], ["lm", "eval"], ["lm", "generate"], ["lm", "corpus"],
    ])
    func tableListsEveryOption(_ command: [String]) throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `attention \(command.joined(separator: " ")) ") },
                               "no README row for \(command)")
        let help = try CLI.run(command + ["--help"])
        #expect(help.status == 0)
        let options = help.stdout.components(separatedBy: "OPTIONS:").last ?? ""
        let names = Set(options.matches(of: /(?m)^\s+(?:-\w, )?(--[a-z][a-z-]*)/).map { String($0.1) })
        #expect(!names.isEmpty)
        for name in names.subtracting(["--help", "--version"]) {
            #expect(row.contains(name), "README row for \(command.joined(separator: " ")) lacks \(name)")
        }
    }
}
