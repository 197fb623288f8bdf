import ArgumentParser
import Foundation
import AttentionAudio
import AttentionModels
import AttentionTraining
import AttentionVisualization

struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Speech recognition with attention over audio frames: spoken digit strings, one word per step, with each word's alignment.",
        discussion: """
            Audio is read from WAV files (PCM 8/16/24/32-bit or float 32/64, any channel count, any rate), resampled \
            to 16 kHz and turned into 40 log-mel bins every 10 ms. A strided convolution (4 frames per token) and a \
            Transformer encoder with local self-attention read the frames; a GRU decoder with additive (Bahdanau) \
            attention over the encoded frames writes the digit words. The data set is made by \
            Scripts/make_speech_data.py (espeak-ng voices, speeds, pitches, noise; the voice variant f3 is held out \
            for the test splits test-clean and test-10db), by default in ~/.cache/attention/speech.

            Alignment is the share of emitted words whose attention peak (the centre of the most attended token) \
            lies inside the time span of the reference word in the same place.

            Example:
              python3 Scripts/make_speech_data.py
              attention listen train --save listen.safetensors
              attention listen eval --load listen.safetensors --json
              attention listen run --load listen.safetensors --heatmap words.png digits.wav
            """,
        subcommands: [ListenTrain.self, ListenEval.self, ListenRun.self]
    )
}

struct SpeechDataOption: ParsableArguments {
    @Option(help: "The data folder written by Scripts/make_speech_data.py (default ~/.cache/attention/speech).")
    var data: String?

    func load() throws -> SpeechCorpus {
        let folder = data ?? SpeechCorpus.defaultDirectory
        if data != nil { try InputPaths.checkFolder(folder, option: "--data") } else if !FileManager.default.fileExists(atPath: folder) {
            throw CLIError.noInput("\(folder): no speech data; run python3 Scripts/make_speech_data.py once, or give --data DIR")
        }
        do { return try SpeechCorpus(directory: folder) } catch { throw CLIError.data("--data \(error.description)") }
    }
}
