import Attention
import Foundation
import AttentionModels
import AttentionVisualization

// Captioning, as in "Show, Attend and Tell": a strip of k digits side by side is read by a small Transformer
// encoder into one state per patch; a GRU decoder says the digits as words, and before each word Bahdanau's
// additive attention chooses which patches to look at. Strips come from the same digits as the Vision
// Transformer's (training rows only for training, test rows only for the test strips).
let all = try DigitImages(contentsOf: DigitImages.defaultPath, width: 8, requireLabels: true)
var configuration = CaptionModel.Configuration()
configuration.dimension = 32
configuration.layers = 1
configuration.heads = 2
configuration.feedForward = 64
configuration.hidden = 64
var options = CaptionModel.TrainingOptions()
options.steps = 1200
options.digits = 2...3
options.validationEvery = 600
// 1,200 steps on 2–3 digits is a quick look; `attention caption train` runs 2,500 on 2–4 digits.
let model = try CaptionModel.train(on: all, configuration: configuration, options: options)
let test = Array(DigitStrips.testStrips(all, digits: 3).prefix(200))
let evaluation = model.evaluate(test)
print("3-digit test strips: exact \(evaluation.exactMatch), words \(evaluation.wordAccuracy), localised \(evaluation.localisation)")

// One test strip: the strip, then each word said with its attention laid over the strip. A word that looks at
// the right digit lights up that digit's 8 × 8 cell.
let strip = test[0]
let caption = model.caption([strip.pixels])[0]
print("truth:", strip.words.joined(separator: " "), " said:", caption.words.joined(separator: " "))
let width = strip.pixels.count / 8
let image = (0..<8).map { r in (0..<width).map { strip.pixels[r * width + $0] / DigitImages.maximumValue } }
let none = image.map { $0.map { _ in 0.0 } }
let panels = [AttentionOverlay.Panel(image: image, attention: none, caption: "the strip")]
    + caption.attention.enumerated().map { t, map in
        AttentionOverlay.Panel(image: image, attention: map, caption: "\(t + 1): \(caption.words[t])")
    }
let overlay = try AttentionOverlay(title: "caption: \(caption.words.joined(separator: " "))", panels: panels)
try overlay.write(to: URL(fileURLWithPath: "caption-attention.png"))
