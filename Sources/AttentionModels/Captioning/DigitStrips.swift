import Foundation
import Attention
import AttentionText

/// One image of the captioning task: k digit images of 8 × 8 pixels side by side, a strip of 8 × 8k pixels, and its
/// caption, the digits as words ("three seven one").
///
///     pixels[r · 8k + 8i + c] = digit_i[r · 8 + c]      r, c in 0..<8, i in 0..<k      (values 0…16, row-major)
public struct DigitStrip: Sendable, Equatable {
    /// The strip row-major, 8 · 8k values in 0…16.
    public let pixels: [Double]
    /// The digits from left to right (k of them).
    public let digits: [Int]
    /// The source rows of the digit images (in the `DigitImages` the strip was composed from), left to right.
    public let rows: [Int]

    /// A strip from its pixels (8 · 8k values, row-major), its digits and, optionally, the rows it was composed from.
    public init(pixels: [Double], digits: [Int], rows: [Int] = []) {
        precondition(pixels.count == DigitStrips.cell * DigitStrips.cell * digits.count,
                     "DigitStrip: \(pixels.count) pixels for \(digits.count) digits, expected \(DigitStrips.cell * DigitStrips.cell * digits.count)")
        self.pixels = pixels; self.digits = digits; self.rows = rows
    }

    /// k.
    public var count: Int { digits.count }
    /// The caption: the digits as words.
    public var words: [String] { digits.map { DigitStrips.words[$0] } }
}

/// Composing strips of digits from `DigitImages`, the fixed test strips, and reading strips from CSV rows.
///
/// Training strips come only from training rows (0–1399), test strips only from the test rows (1400–1796): a strip
/// never mixes the two, so no test digit is ever seen in training.
///
/// ```swift
/// let all = try DigitImages(contentsOf: DigitImages.defaultPath, width: 8)
/// let test = DigitStrips.testStrips(all, digits: 3)       // 1000 strips of 3 test digits, always the same
/// let some = DigitStrips.compose(from: all, rows: Array(0..<1400), count: 64, digits: 2...4, seed: 7)
/// ```
public enum DigitStrips {
    /// A digit cell is 8 × 8 pixels.
    public static let cell = 8
    /// The words of the captions, index = digit.
    public static let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    /// Strip lengths the task uses (the model's `maxDigits` bounds what it reads).
    public static let lengths = 2...4
    /// How many strips of each length the fixed test sets hold, and their seed.
    public static let testCount = 1000, testSeed: UInt64 = 20_240_610

    /// The strip of `images.pixels[rows[0]]`, `images.pixels[rows[1]]`, … side by side (every image 8 × 8 and labelled).
    public static func strip(_ images: DigitImages, rows: [Int]) -> DigitStrip {
        strip(rows.map { images.pixels[$0] }, digits: rows.map { images.labels[$0]! }, rows: rows)
    }

    /// The strip of 8 × 8 `cells` side by side.
    public static func strip(_ cells: [[Double]], digits: [Int], rows: [Int] = []) -> DigitStrip {
        precondition(cells.count == digits.count && cells.allSatisfy { $0.count == cell * cell },
                     "DigitStrips: \(cells.count) cells of 64 pixels need as many digits, got \(digits.count)")
        let k = cells.count, width = cell * k
        var pixels = [Double](repeating: 0, count: cell * width)
        for (i, image) in cells.enumerated() {
            for r in 0..<cell { for c in 0..<cell { pixels[r * width + i * cell + c] = image[r * cell + c] } }
        }
        return DigitStrip(pixels: pixels, digits: digits, rows: rows)
    }

    /// `count` strips of digits drawn (uniformly, with replacement) from `rows` of `images`; each strip's length is
    /// drawn from `digits`. The same arguments give the same strips on every platform.
    public static func compose(from images: DigitImages, rows: [Int], count: Int, digits: ClosedRange<Int>,
                               seed: UInt64) -> [DigitStrip] {
        precondition(images.height == cell && images.width == cell, "DigitStrips: need 8 × 8 images, got \(images.height) × \(images.width)")
        precondition(!rows.isEmpty && rows.allSatisfy { images.labels.indices.contains($0) && images.labels[$0] != nil },
                     "DigitStrips: need labelled rows to compose strips from")
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in
            let k = digits.lowerBound + rng.integer(below: digits.count)
            return strip(images, rows: (0..<k).map { _ in rows[rng.integer(below: rows.count)] })
        }
    }

    /// The fixed test strips of length `digits`: ``testCount`` strips composed from the test rows only
    /// (`DigitImages.testRows` of the full file; the last 22 % of a smaller one, as `standardSplit` cuts it).
    public static func testStrips(_ images: DigitImages, digits: Int, count: Int = testCount) -> [DigitStrip] {
        let cut = images.count == DigitImages.testRows.upperBound ? DigitImages.testRows.lowerBound : images.count * 78 / 100
        return compose(from: images, rows: Array(cut..<images.count), count: count, digits: digits...digits,
                       seed: testSeed &+ UInt64(digits))
    }

    /// The training rows of `images` (those before the test rows, as `standardSplit` cuts them).
    public static func trainingRows(_ images: DigitImages) -> [Int] {
        let cut = images.count == DigitImages.testRows.upperBound ? DigitImages.testRows.lowerBound : images.count * 78 / 100
        return Array(0..<cut)
    }

    /// Strips from CSV lines: each row holds 64 · k values in 0…16 (the strip row-major, 8 rows of 8k), with k in
    /// `supported`; rows may differ in k. A row of another length, a value outside 0…16, a NaN or an empty input is a
    /// ``StripReadError`` naming the line.
    public static func read(lines: NumberedLines, source: String, supported: ClosedRange<Int>) throws(StripReadError) -> [[Double]] {
        guard !lines.lines.isEmpty else { throw .empty(source: source) }
        var out: [[Double]] = []
        for line in lines.lines {
            let n = line.text.split(separator: ",", omittingEmptySubsequences: false).count
            let k = n / (cell * cell)
            guard n % (cell * cell) == 0, supported.contains(k) else {
                throw .length(source: source, line: line.number, found: n, supported: supported)
            }
            do {
                let one = try DigitImages(lines: NumberedLines(lines: [line]), source: source, height: cell, width: cell * k)
                out.append(one.pixels[0])
            } catch { throw .values(error.description) }
        }
        return out
    }
}

/// Why strips could not be read from a CSV.
public enum StripReadError: Error, CustomStringConvertible, Equatable {
    /// The strip file has no rows.
    case empty(source: String)
    /// A row's value count is not 64·k for a supported k.
    case length(source: String, line: Int, found: Int, supported: ClosedRange<Int>)
    /// A value that is not a finite number in 0…16 (the message of `DigitImagesError`).
    case values(String)

    /// The message: the file and line, what was expected and what was found.
    public var description: String {
        switch self {
        case .empty(let s): return "\(s): no strip rows (the file is empty or blank)"
        case let .length(s, line, found, supported):
            let counts = supported.map { String(64 * $0) }.joined(separator: ", ")
            return "\(s):\(line): a strip row holds 64·k values for k = \(supported.lowerBound)…\(supported.upperBound) digits (\(counts)), found \(found)"
        case .values(let m): return m
        }
    }
}
