import Foundation
import AttentionText

/// Small grey-scale images of handwritten digits as CSV rows: `height × width` pixel values in 0…16 (the UCI digits
/// of scikit-learn: 8 × 8), optionally followed by a label 0…9 in one more column.
///
/// `Scripts/fetch-digits.sh` puts the 1,797 UCI images into `~/.cache/attention/digits/digits.csv`; rows 0–1399
/// are the project's training (and validation) rows, rows 1400–1796 its **test split, never trained on**.
///
/// ```swift
/// let all = try DigitImages(contentsOf: DigitImages.defaultPath, width: 8)
/// let (train, test) = all.standardSplit()     // 1400, 397 images
/// ```
public struct DigitImages: Sendable, Equatable {
    /// Image height and width in pixels (8 × 8 for the UCI digits; strips of k digits are 8 × 8k).
    public let height: Int, width: Int
    /// Each image row-major, `height · width` values in 0…16.
    public var pixels: [[Double]]
    /// The label of each image, when the file had a label column.
    public var labels: [Int?]

    /// The rows of the UCI file that are the test split (397 images); training never reads them.
    public static let testRows = 1400..<1797
    /// The largest pixel value of the UCI digits (ink); the models divide by it to read pixels in 0…1.
    public static let maximumValue = 16.0

    /// `$ATTENTION_DIGITS`, else the cache file of `Scripts/fetch-digits.sh`.
    public static var defaultPath: String {
        if let p = ProcessInfo.processInfo.environment["ATTENTION_DIGITS"], !p.isEmpty { return p }
        let cache = ProcessInfo.processInfo.environment["ATTENTION_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.cache/attention")
        return cache + "/digits/digits.csv"
    }

    /// Images from values in memory: each `pixels` row holds `height · width` values, one label (or nil) per image.
    /// Mismatched counts stop with a precondition naming both (data from a file goes through `init(contentsOf:height:width:requireLabels:)`, which throws).
    public init(height: Int = 8, width: Int = 8, pixels: [[Double]], labels: [Int?]) {
        precondition(pixels.count == labels.count && pixels.allSatisfy { $0.count == height * width },
                     "DigitImages: \(pixels.count) images of \(height)×\(width) need as many labels and \(height * width) values each")
        self.height = height; self.width = width; self.pixels = pixels; self.labels = labels
    }

    /// Reads a CSV of images `height` pixels high. `width` nil: taken from the first row (its value count, less a label
    /// column when the count is one more than a multiple of `height`), as for strips of several digits.
    public init(contentsOf path: String, height: Int = 8, width: Int? = nil, requireLabels: Bool = false) throws(DigitImagesError) {
        let lines: NumberedLines
        do { lines = try NumberedLines(contentsOf: path) } catch { throw .file(error.description) }
        try self.init(lines: lines, source: path == "-" ? "<stdin>" : path, height: height, width: width, requireLabels: requireLabels)
    }

    /// The same over lines read elsewhere.
    public init(lines: NumberedLines, source: String, height: Int = 8, width: Int? = nil, requireLabels: Bool = false) throws(DigitImagesError) {
        guard let first = lines.lines.first else { throw .empty(source: source) }
        let firstCount = first.text.split(separator: ",", omittingEmptySubsequences: false).count
        let w = width ?? (firstCount % height == 1 ? (firstCount - 1) / height : firstCount / height)
        let n = height * w
        guard w > 0 else { throw .length(source: source, line: first.number, expected: "\(height) × width values", found: firstCount) }
        var pixels: [[Double]] = [], labels: [Int?] = []
        for line in lines.lines {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == n || fields.count == n + 1 else {
                throw .length(source: source, line: line.number, expected: "\(n) values (or \(n + 1) with a label)", found: fields.count)
            }
            if requireLabels && fields.count == n {
                throw .length(source: source, line: line.number, expected: "\(n) values and a label", found: fields.count)
            }
            var row: [Double] = []
            row.reserveCapacity(n)
            for (c, field) in fields.prefix(n).enumerated() {
                let text = field.trimmingCharacters(in: .whitespaces)
                guard let v = Double(text), v.isFinite else { throw .value(source: source, line: line.number, column: c + 1, text: text) }
                guard (0...Self.maximumValue).contains(v) else { throw .range(source: source, line: line.number, column: c + 1, value: v) }
                row.append(v)
            }
            var label: Int?
            if fields.count == n + 1 {
                let text = fields[n].trimmingCharacters(in: .whitespaces)
                guard let l = Double(text), l.rounded() == l, (0...9).contains(l) else { throw .label(source: source, line: line.number, text: text) }
                label = Int(l)
            }
            pixels.append(row); labels.append(label)
        }
        self.init(height: height, width: w, pixels: pixels, labels: labels)
    }

    /// The number of images.
    public var count: Int { pixels.count }

    /// The images (and labels) at `rows`, same size; the rows must be in `0..<count`.
    public subscript(rows: Range<Int>) -> DigitImages {
        DigitImages(height: height, width: width, pixels: Array(pixels[rows]), labels: Array(labels[rows]))
    }

    /// Rows 0–1399 and 1400–1796 of the UCI file (fewer rows: the first 78 % and the rest).
    public func standardSplit() -> (train: DigitImages, test: DigitImages) {
        let cut = count == Self.testRows.upperBound ? Self.testRows.lowerBound : count * 78 / 100
        return (self[0..<cut], self[cut..<count])
    }
}

/// Why an image file could not be read.
public enum DigitImagesError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case file(String)
    /// The file holds no images.
    case empty(source: String)
    /// A row with the wrong number of values.
    case length(source: String, line: Int, expected: String, found: Int)
    /// A value that is not a number.
    case value(source: String, line: Int, column: Int, text: String)
    /// A pixel outside 0…16 (or NaN).
    case range(source: String, line: Int, column: Int, value: Double)
    /// A label that is not a digit 0…9.
    case label(source: String, line: Int, text: String)

    /// The message: the file, line and column, what was expected and what was found.
    public var description: String {
        switch self {
        case .file(let m): return m
        case .empty(let s): return "\(s): no image rows (the file is empty or blank)"
        case let .length(s, line, expected, found): return "\(s):\(line): expected \(expected), found \(found)"
        case let .value(s, line, column, text): return "\(s):\(line): column \(column) is \"\(text)\", not a finite number"
        case let .range(s, line, column, value): return "\(s):\(line): column \(column) is \(value), outside the pixel range 0…16"
        case let .label(s, line, text): return "\(s):\(line): the label \"\(text)\" is not a digit 0…9"
        }
    }
}
