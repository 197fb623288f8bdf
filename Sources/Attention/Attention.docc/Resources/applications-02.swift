import Attention
import Foundation
import AttentionModels
import AttentionVisualization

// The Vision Transformer on the UCI handwritten digits (8 × 8 pixels; `bash Scripts/fetch-digits.sh` puts them in
// the cache with a pinned checksum, and `DigitImages.defaultPath` finds them there or in $ATTENTION_DIGITS).
// Each 2 × 2 patch becomes a token, a [CLS] token joins them, and its last state classifies the image.
let all = try DigitImages(contentsOf: DigitImages.defaultPath, width: 8, requireLabels: true)
let (train, test) = all.standardSplit()
var configuration = VisionTransformer.Configuration()
configuration.dimension = 32
configuration.layers = 2
configuration.heads = 2
configuration.feedForward = 64
var options = VisionTransformer.TrainingOptions()
options.steps = 1000
options.validationEvery = 500
// 1,000 steps of a small model is a quick look (`attention digits train` runs 5,000 steps of a larger one);
// train longer for better accuracy and sharper maps.
let model = try VisionTransformer.train(on: train, configuration: configuration, options: options)
print("test accuracy \((model.accuracy(on: test) * 1000).rounded() / 1000) on \(test.count) digits")

// Where [CLS] looked: the attention rollout (every layer's weights multiplied through, residuals included) laid
// over the digit, each pixel showing its patch's share.
let index = 0
let result = model.classify([test.pixels[index]])[0]
let image = (0..<8).map { r in (0..<8).map { test.pixels[index][r * 8 + $0] / DigitImages.maximumValue } }
let none = image.map { $0.map { _ in 0.0 } }
print("digit \(test.labels[index]!) classified as \(result.label), p = \(String(format: "%.2f", result.probabilities[result.label]))")
let overlay = try AttentionOverlay(title: "digit \(result.label)",
                                   panels: [.init(image: image, attention: none, caption: "image"),
                                            .init(image: image, attention: result.rollout, caption: "rollout")])
try overlay.write(to: URL(fileURLWithPath: "digit-attention.png"))
