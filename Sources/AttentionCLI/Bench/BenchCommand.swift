import ArgumentParser
import Attention
import AttentionBench
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that check their result before timing it.",
        subcommands: [GEMMCommand.self, BenchAttentionCommand.self, BenchEncoderLayerCommand.self, BenchSeq2SeqTrainCommand.self, BenchPeakCommand.self]
    )
}

/// A benchmark report as one line of JSON with sorted keys (the order the reports have always had).
func sortedJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
