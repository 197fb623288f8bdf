import Foundation
import Testing
@testable import AttentionVisualization
// On Linux XMLParser lives in FoundationXML (shipped with the toolchain); on Apple platforms, in Foundation.
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an XML parse of the SVG found: elements by name, `class` attributes, the text of each element.
final class SVGSummary: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var cellFills: [String] = []
    var classes: [String: Int] = [:]
    var titles: [String] = []
    var texts: [String] = []
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        if let c = attributes["class"] {
            classes[c, default: 0] += 1
            if name == "rect" && c == "cell" { cellFills.append(attributes["fill"] ?? "") }
        }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { titles.append(text) }
        if name == "text" { texts.append(text) }
        text = ""
    }

    /// Parses `svg`; nil when the document is not well-formed.
    static func parse(_ svg: String) -> SVGSummary? {
        let parser = XMLParser(data: Data(svg.utf8))
        let summary = SVGSummary()
        parser.delegate = summary
        return parser.parse() ? summary : nil
    }
}

@Suite("SVG and HTML")
struct SVGTests {
    static func seedExample() throws -> Heatmap {
        try Heatmap([[0.3619, 0.3805, 0.2576]], rowLabels: ["s0"], columnLabels: ["Bonjour", "le", "monde"],
                    title: "Seed 001: dot-product attention")
    }

    @Test("Seed 001 worked example: one cell per key with tooltips \"s0 → key: weight\"")
    func workedExample() throws {
        let map = try Self.seedExample()
        let svg = map.svg()
        for line in ["s0 → Bonjour: 0.3619", "s0 → le: 0.3805", "s0 → monde: 0.2576"] {
            #expect(svg.contains("<title>\(line)</title>"))
        }
        let summary = try #require(SVGSummary.parse(svg))
        #expect(summary.classes["cell"] == 3)
        #expect(summary.titles == ["Seed 001: dot-product attention",
                                   "s0 → Bonjour: 0.3619", "s0 → le: 0.3805", "s0 → monde: 0.2576"])
        #expect(summary.cellFills == [0.3619, 0.3805, 0.2576].map { ColorMap.attention.color(at: $0).hex })
        // Values written in cells (1 × 3 is small), labels present.
        #expect(summary.classes["value"] == 3)
        for expected in ["0.36", "0.38", "0.26", "Bonjour", "le", "monde", "s0"] {
            #expect(summary.texts.contains(expected), "text \(expected)")
        }
    }

    @Test("Exactly rows × columns cell rects, and a 64-band colour bar", arguments: [(1, 1), (2, 3), (13, 5), (7, 20)])
    func cellCount(rows: Int, columns: Int) throws {
        let values: [[Double]] = (0..<rows).map { (r: Int) -> [Double] in
            (0..<columns).map { (c: Int) -> Double in Double((r * 7 + c * 3) % 11) / 10 }
        }
        let svg = try Heatmap(values).svg(cellSize: 10)
        let summary = try #require(SVGSummary.parse(svg))
        #expect(summary.classes["cell"] == rows * columns)
        #expect(summary.classes["legend"] == 1 + 64)  // the <g> and its bands
        #expect(svg.components(separatedBy: "class=\"cell\"").count - 1 == rows * columns)
        #expect(summary.titles.count == rows * columns)
        #expect(summary.titles.first == "row 0 → column 0: \(String(format: "%.4f", values[0][0]))")
    }

    @Test("Values inside cells only for grids up to 12 × 12 (unless asked)")
    func valueText() throws {
        let small = try Heatmap(Array(repeating: Array(repeating: 0.5, count: 12), count: 12))
        let tall = try Heatmap(Array(repeating: [0.5, 0.25], count: 13))
        #expect(try #require(SVGSummary.parse(small.svg())).classes["value"] == 144)
        #expect(try #require(SVGSummary.parse(tall.svg())).classes["value"] == nil)
        #expect(try #require(SVGSummary.parse(tall.svg(showValues: true))).classes["value"] == 26)
        #expect(try #require(SVGSummary.parse(small.svg(showValues: false))).classes["value"] == nil)
        #expect(try #require(SVGSummary.parse(small.svg(cellSize: 10))).classes["value"] == nil)
    }

    @Test("Labels with markup characters are escaped, never raw, and parse back to the original")
    func escaping() throws {
        let nasty = "<b>&\"'"
        let map = try Heatmap([[0.1, 0.9]], rowLabels: [nasty], columnLabels: ["x", "a\u{01}b"], title: "T & <i>")
        let svg = map.svg()
        #expect(!svg.contains("<b>"))
        #expect(!svg.contains("<i>"))
        #expect(svg.contains("&lt;b&gt;&amp;&quot;&apos;"))
        #expect(svg.contains("T &amp; &lt;i&gt;"))
        #expect(!svg.contains("\u{01}"))
        let summary = try #require(SVGSummary.parse(svg))
        #expect(summary.texts.contains(nasty))
        #expect(summary.texts.contains("a\u{FFFD}b"))
        #expect(summary.titles.contains("\(nasty) → x: 0.1000"))
        #expect(summary.elements["b"] == nil)
    }

    @Test("HTML page: self-contained, titled, captioned, escaped, embeds the SVG")
    func html() throws {
        let map = try Self.seedExample()
        let page = map.html(caption: "French → English & <friends>")
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<title>Seed 001: dot-product attention</title>"))
        #expect(page.contains("<figcaption>French → English &amp; &lt;friends&gt;</figcaption>"))
        #expect(page.contains(map.svg(cellSize: 24, showValues: nil, drawsTitle: false)))
        #expect(!page.contains("<script"))
        #expect(!page.contains("src="))
        #expect(!page.contains("href="))
        // The only URL is the SVG namespace name, which is never fetched.
        #expect(page.components(separatedBy: "http").count - 1 == 1)
        let plain = try Heatmap([[0.25]]).html()
        #expect(plain.contains("<h1>Attention heatmap</h1>"))
        #expect(plain.contains("dark at 0 to light at 1 (attention map); values span 0.2500–0.2500."))
    }

    /// Issue 15 item 14: the page showed the title twice, as its heading and again as the SVG's bold text.
    @Test("HTML page: the title is shown once (the heading); the SVG keeps its <title> for screen readers")
    func htmlTitleOnce() throws {
        let page = try Self.seedExample().html()
        #expect(page.components(separatedBy: "<h1>Seed 001: dot-product attention</h1>").count - 1 == 1)
        let body = String(page[page.range(of: "<body>")!.upperBound...])
        let svgStart = body.range(of: "<svg")!.lowerBound, svgEnd = body.range(of: "</svg>")!.upperBound
        let summary = try #require(SVGSummary.parse(String(body[svgStart..<svgEnd])))
        #expect(!summary.texts.contains("Seed 001: dot-product attention"), "the SVG draws the title again")
        #expect(summary.titles.contains("Seed 001: dot-product attention"))
    }

    /// Issue 15 item 14: a long title ran past the right edge (its width was estimated at 10 units a character
    /// and the left margin was not counted). Now the title is told its length (`textLength`), which fits inside
    /// the picture with both margins, whatever font renders it.
    @Test("SVG: a long title is given a length that fits inside the picture", arguments: [
        String(repeating: "W", count: 120), "Bahdanau alignment: " + String(repeating: "je suis très fatigué aujourd'hui ", count: 6),
        String(repeating: "注意力机制", count: 20),
    ])
    func longTitleFits(_ title: String) throws {
        let svg = try Heatmap([[0.5, 0.5]], rowLabels: ["a"], columnLabels: ["x", "y"], title: title).svg()
        func number(_ attribute: String, in text: Substring) throws -> Double {
            let range = try #require(text.range(of: "\(attribute)=\""))
            return try #require(Double(text[range.upperBound...].prefix { $0 != "\"" }))
        }
        let width = try number("width", in: svg[...])
        let titleElement = try #require(svg.range(of: "font-weight=\"bold\"").map { svg[svg[..<$0.lowerBound].range(of: "<text", options: .backwards)!.lowerBound...] })
        let x = try number("x", in: titleElement), length = try number("textLength", in: titleElement)
        #expect(x + length + 8 <= width + 0.01, "title ends at \(x + length), picture is \(width) wide")
        // The length is at least what the characters need at 16 units in a narrow font (0.5 em), so the renderer
        // never has to squeeze glyphs below half an em.
        #expect(length >= Double(title.count) * 8)
    }
}
