import Attention
import AttentionTransformers

/// A Vision Transformer (Dosovitskiy et al., 2021) for small grey-scale images, read top to bottom:
///
///     image [B, Hi, Wi] / 16      cut into N = (Hi/P)·(Wi/P) patches of P×P pixels,
///                                 each read with a c-pixel border                     [B, N, (P+2c)²]
///     x = patches·Wₑ + bₑ                                  patch embedding            [B, N, D]
///     x = [cls ; x] + [p_cls ; row_r + col_c]              a [CLS] token, learned 2-D positions   [B, N+1, D]
///     x = Encoder^L(x)                                     pre-norm blocks, GELU      [B, N+1, D]
///     logits = W · LayerNorm(x[:, 0]) + b                  the [CLS] state decides    [B, C]
///
/// Attention weights of every layer come back on request ([B, H, N+1, N+1] each), so `attention digits run` can
/// show where the [CLS] token looked and the attention rollout of Abnar & Zuidema (2020) over the pixels.
public final class VisionTransformer: Module {
    /// The model's shape (saved in checkpoints); `validate()` refuses sizes that cannot build a model.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Hi × Wi: the image size in pixels (both must be multiples of `patch`).
        public var imageHeight = 8, imageWidth = 8
        /// P: patches are P×P pixels.
        public var patch = 2
        /// c: each token also reads a border of c pixels around its patch (a (P+2c)² window, zeros outside the image),
        /// as shifted-patch tokenisation does for ViTs on small data sets (Lee, Lee & Song, 2021); 0 is the plain ViT.
        public var patchContext = 1
        /// D.
        public var dimension = 64
        /// L: encoder blocks.
        public var layers = 3
        /// Attention heads per block (`dimension` must be a multiple).
        public var heads = 4
        /// The hidden width of each block's feed-forward network.
        public var feedForward = 128
        /// C: the number of classes (10 digits).
        public var classes = 10
        /// Dropout inside the encoder blocks while training (attention weights, after each sublayer, in the feed-forward).
        public var dropout = 0.0
        /// The defaults: 8 × 8 images, 2 × 2 patches with a 1-pixel border, D = 64, 3 blocks of 4 heads, 10 classes.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case imageHeight, imageWidth, patch, patchContext, dimension, layers, heads, feedForward, classes, dropout
        }

        // Checkpoints written before `dropout` existed decode with 0.
        /// Decodes a checkpoint's configuration; fields added later (`patchContext`, `dropout`) default to 0 when absent.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            imageHeight = try c.decode(Int.self, forKey: .imageHeight); imageWidth = try c.decode(Int.self, forKey: .imageWidth)
            patch = try c.decode(Int.self, forKey: .patch)
            patchContext = try c.decodeIfPresent(Int.self, forKey: .patchContext) ?? 0
            dimension = try c.decode(Int.self, forKey: .dimension)
            layers = try c.decode(Int.self, forKey: .layers); heads = try c.decode(Int.self, forKey: .heads)
            feedForward = try c.decode(Int.self, forKey: .feedForward); classes = try c.decode(Int.self, forKey: .classes)
            dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? 0
        }

        /// Hi / P: patch rows.
        public var patchRows: Int { imageHeight / patch }
        /// Wi / P: patch columns.
        public var patchColumns: Int { imageWidth / patch }
        /// N = (Hi/P)·(Wi/P): image tokens (the [CLS] token makes N + 1).
        public var patchCount: Int { patchRows * patchColumns }
        /// Pixels a token reads: (P + 2c)².
        public var tokenPixels: Int { (patch + 2 * patchContext) * (patch + 2 * patchContext) }

        /// Refuses sizes that cannot build a model, naming the field and its value.
        /// - Throws: `VisionError.configuration`.
        public func validate() throws(VisionError) {
            func need(_ ok: Bool, _ what: String) throws(VisionError) { if !ok { throw .configuration(what) } }
            try need((1...256).contains(imageHeight) && (1...1024).contains(imageWidth), "image size \(imageHeight)×\(imageWidth) out of range")
            try need(patch >= 1 && imageHeight % patch == 0 && imageWidth % patch == 0,
                     "patch \(patch) must divide the image size \(imageHeight)×\(imageWidth)")
            try need((1...2048).contains(dimension) && heads >= 1 && dimension % heads == 0,
                     "dimension \(dimension) must be in 1...2048 and a multiple of heads \(heads)")
            try need((1...24).contains(layers), "layers must be in 1...24, found \(layers)")
            try need((1...8192).contains(feedForward), "feedForward must be in 1...8192, found \(feedForward)")
            try need((2...1000).contains(classes), "classes must be in 2...1000, found \(classes)")
            try need((0..<1).contains(dropout), "dropout must be in [0, 1), found \(dropout)")
            try need((0...4).contains(patchContext), "patchContext must be in 0...4, found \(patchContext)")
        }
    }

    /// The shape this model was built with.
    public let configuration: Configuration
    /// Wₑ, bₑ: a token's (P+2c)² pixels → D.
    public let patchEmbedding: Linear
    /// The learnt [CLS] token, [D], prepended to the patch tokens; its last state classifies the image.
    public let classToken: Parameter          // [D]
    /// The [CLS] token's position vector, [D].
    public let classPosition: Parameter       // [D]
    /// Learnt row positions, [Hi/P, D]: a patch at (r, c) gets row r + column c.
    public let rowPositions: Parameter        // [Hi/P, D]
    /// Learnt column positions, [Wi/P, D].
    public let columnPositions: Parameter     // [Wi/P, D]
    /// The L pre-norm encoder blocks (GELU feed-forward).
    public let layers: [TransformerEncoderLayer]
    /// The final LayerNorm, applied to the [CLS] state before the head.
    public let norm: LayerNorm
    /// The classifier, D → C logits.
    public let head: Linear

    /// A freshly initialised model drawn from `rng` (same seed, same weights).
    /// - Throws: `VisionError.configuration` when `Configuration/validate()` refuses `c`.
    public init(_ c: Configuration, rng: inout RandomGenerator) throws(VisionError) {
        try c.validate()
        configuration = c
        let d = c.dimension
        patchEmbedding = Linear(inputSize: c.tokenPixels, outputSize: d, rng: &rng)
        classToken = Parameter(Tensor.randomNormal([d], standardDeviation: 0.02, using: &rng))
        classPosition = Parameter(Tensor.randomNormal([d], standardDeviation: 0.02, using: &rng))
        rowPositions = Parameter(Tensor.randomNormal([c.patchRows, d], standardDeviation: 0.02, using: &rng))
        columnPositions = Parameter(Tensor.randomNormal([c.patchColumns, d], standardDeviation: 0.02, using: &rng))
        let layer = TransformerLayerConfiguration(modelDim: d, numHeads: c.heads, feedForwardDim: c.feedForward,
                                                  feedForward: .gelu, dropout: c.dropout, normPlacement: .pre)
        layers = TransformerEncoderLayer.stack(layer, count: c.layers, seedStride: 7919, rng: &rng)
        norm = LayerNorm([d])
        head = Linear(inputSize: d, outputSize: c.classes, rng: &rng)
    }

    /// The parameters that belong to no child layer: the [CLS] token and the positions (checkpoint names).
    override public var ownParameters: [(String, Parameter)] {
        [("classToken", classToken), ("classPosition", classPosition), ("rowPositions", rowPositions),
         ("columnPositions", columnPositions)]
    }

    /// The layers in checkpoint order: `patchEmbedding`, `layers.N`, `norm`, `head`.
    override public var children: [(String, Module)] {
        [("patchEmbedding", patchEmbedding)] + layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
            + [("norm", norm), ("head", head)]
    }

    /// Pixels (row-major, 0…16) → tokens [B, N, (P+2c)²] scaled to 0…1: token n = (r, col) reads rows rP−c … rP+P+c−1
    /// and the matching columns, zeros outside the image.
    public func patches(_ images: [[Double]]) -> Tensor {
        let c = configuration, p = c.patch, w = c.imageWidth, h = c.imageHeight, border = c.patchContext
        var values = [Double]()
        values.reserveCapacity(images.count * c.patchCount * c.tokenPixels)
        for image in images {
            precondition(image.count == h * w, "VisionTransformer: an image has \(image.count) pixels, expected \(h * w)")
            for r in 0..<c.patchRows { for col in 0..<c.patchColumns {
                for i in (r * p - border)..<(r * p + p + border) { for j in (col * p - border)..<(col * p + p + border) {
                    let inside = (0..<h).contains(i) && (0..<w).contains(j)
                    values.append(inside ? image[i * w + j] / DigitImages.maximumValue : 0)
                } }
            } }
        }
        return Tensor(shape: [images.count, c.patchCount, c.tokenPixels], doubles: values).cast(to: patchEmbedding.weight.value.dtype)
    }

    /// Logits [B, C] and, with `weights`, each layer's attention [B, H, N+1, N+1] (token 0 is [CLS]).
    public func callAsFunction(_ images: [[Double]], weights: Bool = false) -> (logits: Tensor, attention: [Tensor]) {
        precondition(!images.isEmpty, "VisionTransformer: no images")
        let c = configuration, b = images.count, d = c.dimension, n = c.patchCount
        let grid = rowPositions.value.reshaped([c.patchRows, 1, d]) + columnPositions.value.reshaped([1, c.patchColumns, d])
        let tokens = patchEmbedding(patches(images)) + grid.reshaped([1, n, d])                 // [B, N, D]
        let cls = (classToken.value + classPosition.value).reshaped([1, 1, d]).expanded(to: [b, 1, d])
        var x = Tensor.concatenate([cls, tokens], axis: 1)                                       // [B, N+1, D]
        var attention: [Tensor] = []
        for layer in layers {
            let (y, w) = layer(x, weights: weights ? .perHead : .none)
            x = y
            if let w { attention.append(w) }
        }
        let summary = norm(x.slice(axis: 1, 0..<1).reshaped([b, d]))                            // [B, D]
        return (head(summary), attention)
    }
}

/// Why a vision model could not be built, trained or loaded.
public enum VisionError: Error, CustomStringConvertible, Equatable {
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)
    /// Images that cannot be used (the message names the source).
    case data(String)

    /// The message, prefixed by what failed.
    public var description: String {
        switch self {
        case .configuration(let m): return "vision model configuration: \(m)"
        case .data(let m): return m
        }
    }
}
