import Foundation
import Testing
@testable import AttentionVisualization

/// Relative luminance and CIE L* straight from their definitions (WCAG 2 / IEC 61966-2-1, CIE 1976), independent of
/// the library's helpers.
private func referenceLuminance(_ c: RGB8) -> Double {
    func lin(_ v: UInt8) -> Double {
        let x = Double(v) / 255
        return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)
}

private func referenceLightness(_ c: RGB8) -> Double {
    let y = referenceLuminance(c)
    return y > 0.008856 ? 116 * cbrt(y) - 16 : 903.3 * y
}

@Suite("Colour maps")
struct ColorMapTests {
    @Test("Relative luminance increases strictly along the map at 256 samples",
          arguments: [ColorMap.attention, ColorMap.grey])
    func monotoneLuminance(map: ColorMap) {
        let samples = (0..<256).map { referenceLuminance(map.color(at: Double($0) / 255)) }
        for k in 1..<samples.count {
            #expect(samples[k] > samples[k - 1], "\(map.name): sample \(k) not lighter than \(k - 1)")
        }
        #expect(samples.first! < 0.02)
        #expect(samples.last! > 0.75)
    }

    @Test("Ends are the first and last anchors; t is clamped to [0, 1]", arguments: [ColorMap.attention, ColorMap.grey])
    func endsAndClamping(map: ColorMap) {
        #expect(map.color(at: 0) == map.anchors.first!)
        #expect(map.color(at: 1) == map.anchors.last!)
        #expect(map.color(at: -3) == map.anchors.first!)
        #expect(map.color(at: 7.5) == map.anchors.last!)
        #expect(map.color(at: -.infinity) == map.anchors.first!)
        #expect(map.color(at: .infinity) == map.anchors.last!)
    }

    @Test("attention: CIE lightness grows linearly with t (within 8-bit rounding)")
    func uniformLightness() {
        let map = ColorMap.attention
        let l0 = referenceLightness(map.anchors.first!), l1 = referenceLightness(map.anchors.last!)
        for k in 0...100 {
            let t = Double(k) / 100
            let l = referenceLightness(map.color(at: t))
            #expect(abs(l - (l0 + t * (l1 - l0))) < 0.5, "t = \(t): L* \(l)")
        }
        // Dark blue at the bottom, yellow at the top, teal (green ≈ blue, both above red) in between.
        let low = map.color(at: 0), high = map.color(at: 1), middle = map.color(at: 0.5)
        #expect(low.blue > low.red && low.blue > low.green)
        #expect(high.red > high.blue && high.green > high.blue)
        #expect(middle.green > middle.red && middle.blue > middle.red)
    }

    @Test("grey: t = k/255 is sRGB grey k")
    func greyCodes() {
        for k in 0...255 {
            let c = ColorMap.grey.color(at: Double(k) / 255)
            #expect(c == RGB8(UInt8(k), UInt8(k), UInt8(k)))
        }
    }

    @Test("RGB8 hex and luminance")
    func rgb8() {
        #expect(RGB8(0, 0, 0).hex == "#000000")
        #expect(RGB8(255, 10, 171).hex == "#ff0aab")
        #expect(RGB8(255, 255, 255).relativeLuminance == 1)
        #expect(abs(RGB8(0, 255, 0).relativeLuminance - 0.7152) < 1e-12)
        #expect(abs(RGB8(24, 104, 146).relativeLuminance - referenceLuminance(RGB8(24, 104, 146))) < 1e-12)
    }
}
