import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct CaptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Captions with attention over image regions: say the digits of a strip, one word per step, and show where each word looked.",
        discussion: """
            A strip is 2–4 UCI digit images (8×8, values 0–16) side by side, 8×8k pixels; its caption is the digits as \
            words ("three seven one"). A patch encoder with 2-D positions and local self-attention (--window) reads \
            the strip, and a GRU decoder with additive (Bahdanau) attention over the patches emits one word per step. Training strips are composed from \
            rows 0–1399 of the digits file (10 % of those rows are held back for validation), test strips only from \
            rows 1400–1796 (1,000 fixed strips of each length). Get the file once with Scripts/fetch-digits.sh, or give --data.

            Localisation is the share of emitted words whose attention centroid lies inside the 8×8 cell of the digit \
            the word names: word i is checked against cell i, columns 8i…8i+7 (a word past the last cell counts as not localised).

            Example:
              attention caption train --save caption.safetensors
              attention caption eval --load caption.safetensors --json
              attention caption run --load caption.safetensors --csv strips.csv --heatmap words.png
            """,
        subcommands: [CaptionTrain.self, CaptionEval.self, CaptionRun.self]
    )
}

func loadCaptioner(_ path: String) throws -> CaptionModel { try loadCheckpoint(path, CaptionModel.load(from:)) }
