#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
// TensorCore's `precondition` keeps its message in optimised builds.
import AttentionTensorCore

/// An 8-bit sRGB colour, as stored in a PNG pixel or written as `#rrggbb` in SVG.
///
/// ```swift
/// let teal = RGB8(24, 104, 146)
/// print(teal.hex)                 // "#186892"
/// print(teal.relativeLuminance)   // ≈ 0.12
/// ```
public struct RGB8: Sendable, Hashable, CustomStringConvertible {
    /// Red channel, 0…255 (sRGB-encoded).
    public var red: UInt8
    /// Green channel, 0…255 (sRGB-encoded).
    public var green: UInt8
    /// Blue channel, 0…255 (sRGB-encoded).
    public var blue: UInt8

    /// A colour from its three sRGB-encoded channels.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The colour as a lowercase CSS/SVG hex string, `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        var out = "#"
        for channel in [red, green, blue] {
            out.append(digits[Int(channel >> 4)])
            out.append(digits[Int(channel & 0x0F)])
        }
        return out
    }

    /// WCAG relative luminance `Y = 0.2126 R + 0.7152 G + 0.0722 B` of the linear-light channels, in [0, 1].
    public var relativeLuminance: Double {
        let (r, g, b) = linear
        return SRGB.luminance(r, g, b)
    }

    /// The three channels decoded to linear light, each in [0, 1].
    public var linear: (Double, Double, Double) {
        (SRGB.decode(Double(red) / 255), SRGB.decode(Double(green) / 255), SRGB.decode(Double(blue) / 255))
    }

    /// The hex form, `#rrggbb`.
    public var description: String { hex }
}

/// A colour map: a path through colour space from dark (t = 0) to light (t = 1).
///
/// Every map here is *perceptually ordered*: relative luminance increases strictly with `t`, so a larger value always
/// looks lighter, also in greyscale print and for colour-blind readers. `.attention` interpolates in linear-light RGB
/// between six anchors (deep indigo → blue → teal → green → yellow), with `t` reparametrised so that CIE lightness L*
/// grows linearly with `t` (equal steps in value look like equal steps in lightness). `.grey` runs from black to white.
///
/// Monotone luminance: before rounding, luminance is strictly increasing in `t` (L* is linear in `t` for
/// `.attention`, the sRGB code for `.grey`, and luminance grows with both). After rounding to 8 bits, 256 evenly spaced samples of either map still have
/// strictly increasing relative luminance (checked by `ColorMapTests`); much finer sampling repeats colours.
///
/// ```swift
/// let c = ColorMap.attention.color(at: 0.3619)   // an RGB8 between blue and teal
/// ColorMap.grey.color(at: 2)                      // clamped: white
/// ```
public struct ColorMap: Sendable, Hashable {
    /// How `t` moves between the anchors.
    public enum Interpolation: Sendable, Hashable {
        /// Mix the anchors in linear-light RGB, with `t` mapped so that CIE L* grows linearly with `t`.
        case uniformLightness
        /// Mix the 8-bit sRGB codes directly, linear in `t`.
        case uniformSRGB
    }

    /// A short name, e.g. `"attention"` or `"grey"`.
    public let name: String
    /// The anchor colours, darkest first.
    public let anchors: [RGB8]
    /// How colours between anchors are made.
    public let interpolation: Interpolation
    // CIE L* of each anchor; with `.uniformLightness` the anchors sit at t = (L*ᵢ − L*₀) / (L*ₙ − L*₀).
    private let lightness: [Double]

    /// A map through `anchors` (at least two), whose relative luminance must increase strictly from one to the next.
    ///
    /// A map whose anchors break that order would show a larger value as darker; that is a programming error and stops
    /// with a precondition naming the offending anchors.
    public init(name: String, anchors: [RGB8], interpolation: Interpolation = .uniformLightness) {
        precondition(anchors.count >= 2, "ColorMap \(name): needs at least 2 anchors, got \(anchors.count)")
        for i in 1..<anchors.count {
            precondition(anchors[i].relativeLuminance > anchors[i - 1].relativeLuminance,
                         "ColorMap \(name): anchor \(i) \(anchors[i]) is not lighter than anchor \(i - 1) \(anchors[i - 1])")
        }
        self.name = name
        self.anchors = anchors
        self.interpolation = interpolation
        self.lightness = anchors.map { SRGB.lightness(luminance: $0.relativeLuminance) }
    }

    /// The default map for attention weights: deep indigo (0) → blue → teal → green → yellow (1).
    public static let attention = ColorMap(name: "attention", anchors: [
        RGB8(22, 16, 66), RGB8(36, 52, 128), RGB8(24, 104, 146),
        RGB8(32, 152, 138), RGB8(112, 196, 96), RGB8(248, 232, 108),
    ])

    // 8 bits hold only 256 greys, so a ramp that must get strictly lighter at 256 samples has to step exactly one
    // code per sample: that is uniform in sRGB codes (which sRGB's gamma already makes close to uniform in L*).
    /// Black (0) to white (1), one sRGB code per 1/255 of `t`.
    public static let grey = ColorMap(name: "grey", anchors: [RGB8(0, 0, 0), RGB8(255, 255, 255)],
                                      interpolation: .uniformSRGB)

    /// The colour at `t`, clamped to [0, 1] first. `t` must not be NaN (a precondition: NaN has no colour).
    public func color(at t: Double) -> RGB8 {
        precondition(!t.isNaN, "ColorMap \(name): color(at:) called with NaN")
        let t = Swift.min(Swift.max(t, 0), 1)
        switch interpolation {
        case .uniformSRGB:
            let (i, s) = segment(position: t * Double(anchors.count - 1), bounds: (0..<anchors.count).map(Double.init))
            let a = anchors[i], b = anchors[i + 1]
            func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + s * (Double(y) - Double(x))).rounded()) }
            return RGB8(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
        case .uniformLightness:
            let first = lightness[0], last = lightness[lightness.count - 1]
            let target = first + t * (last - first)
            let (i, _) = segment(position: target, bounds: lightness)
            let ya = anchors[i].relativeLuminance, yb = anchors[i + 1].relativeLuminance
            // In linear light, luminance is linear in the mixing fraction, so the fraction that lands on the target
            // luminance (hence the target lightness) is a ratio.
            let s = Swift.min(Swift.max((SRGB.luminance(lightness: target) - ya) / (yb - ya), 0), 1)
            let (ar, ag, ab) = anchors[i].linear, (br, bg, bb) = anchors[i + 1].linear
            return RGB8(SRGB.code(ar + s * (br - ar)), SRGB.code(ag + s * (bg - ag)), SRGB.code(ab + s * (bb - ab)))
        }
    }

    /// The segment `i` with `bounds[i] ≤ position ≤ bounds[i+1]` and the fraction of the way through it.
    private func segment(position: Double, bounds: [Double]) -> (Int, Double) {
        var i = 0
        while i < bounds.count - 2 && position > bounds[i + 1] { i += 1 }
        let s = (position - bounds[i]) / (bounds[i + 1] - bounds[i])
        return (i, Swift.min(Swift.max(s, 0), 1))
    }
}

/// sRGB transfer functions and CIE lightness (IEC 61966-2-1, CIE 1976 L*).
enum SRGB {
    /// sRGB-encoded [0, 1] → linear light [0, 1].
    static func decode(_ c: Double) -> Double {
        c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }

    /// Linear light [0, 1] → sRGB-encoded [0, 1].
    static func encode(_ x: Double) -> Double {
        let x = Swift.min(Swift.max(x, 0), 1)
        return x <= 0.0031308 ? 12.92 * x : 1.055 * pow(x, 1 / 2.4) - 0.055
    }

    /// Linear light → the nearest 8-bit sRGB code.
    static func code(_ x: Double) -> UInt8 { UInt8((encode(x) * 255).rounded()) }

    /// Relative luminance of linear-light channels.
    static func luminance(_ r: Double, _ g: Double, _ b: Double) -> Double { 0.2126 * r + 0.7152 * g + 0.0722 * b }

    /// CIE L* (0…100) of a relative luminance (white = 1).
    static func lightness(luminance y: Double) -> Double {
        y > 216.0 / 24389.0 ? 116 * cbrt(y) - 16 : y * 24389.0 / 27.0
    }

    /// Relative luminance of a CIE L* value: the inverse of `lightness(luminance:)`.
    static func luminance(lightness l: Double) -> Double {
        l > 8 ? pow((l + 16) / 116, 3) : l * 27.0 / 24389.0
    }
}
