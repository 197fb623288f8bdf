import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every attention weight of a Transformer for one input, as one self-contained HTML page (inline CSS, script and
/// data; no network access) with three views:
///
/// - **Head view**: the tokens in two columns (queries left, keys right) joined by lines whose opacity is the weight,
///   with layer and head selectors; hovering or focusing a token shows only its lines.
/// - **Model view**: every layer × head as a small heatmap; activating one opens it in the head view.
/// - **Rollout**: attention rollout (Abnar & Zuidema 2020) through a chosen layer, as a heatmap with token labels.
///
/// The page is keyboard reachable (tabs, selectors and tokens are buttons and selects) and opens on the view named
/// by the URL fragment (`#head`, `#model`, `#rollout`).
///
/// ```swift
/// let view = try AttentionView(title: "all-MiniLM-L6-v2", tokens: ["[CLS]", "hi", "[SEP]"], attentions: weights,
///                              rollout: rollout)
/// try view.write(to: URL(fileURLWithPath: "explain.html"))
/// ```
public struct AttentionView: Sendable {
    /// The page's title.
    public let title: String
    /// The tokens, in order (the rows and columns of every matrix).
    public let tokens: [String]
    /// Segment ids, one per token (drawn as two colours for a sentence pair); empty for one segment.
    public let tokenTypes: [Int]
    /// [layer][head][query][key], in [0, 1].
    public let attentions: [[[[Float]]]]
    /// [layer][query][key]: the rollout through each layer.
    public let rollout: [[[Double]]]

    /// Checks that every matrix is tokens × tokens and every weight finite (``HeatmapError``).
    public init(title: String, tokens: [String], tokenTypes: [Int] = [], attentions: [[[[Float]]]], rollout: [[[Double]]]) throws(HeatmapError) {
        let n = tokens.count
        guard n > 0, !attentions.isEmpty else { throw .empty(rows: n, columns: attentions.count) }
        if !tokenTypes.isEmpty && tokenTypes.count != n { throw .labelCountMismatch(axis: .rows, expected: n, found: tokenTypes.count) }
        for layer in attentions {
            for head in layer {
                if head.count != n { throw .labelCountMismatch(axis: .rows, expected: n, found: head.count) }
                for (q, row) in head.enumerated() {
                    if row.count != n { throw .raggedRows(row: q, expected: n, found: row.count) }
                    if let k = row.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(row: q, column: k, value: Double(row[k])) }
                }
            }
        }
        for layer in rollout where layer.count != n { throw .labelCountMismatch(axis: .rows, expected: n, found: layer.count) }
        self.title = title; self.tokens = tokens; self.tokenTypes = tokenTypes
        self.attentions = attentions; self.rollout = rollout
    }

    /// The data the page's script reads: `{"title", "tokens", "types", "attentions", "rollout", "palette"}`, weights
    /// rounded to 3 decimals (finer than a line's opacity can show). `<` is written as `\u003c`, so no token can
    /// end the script element it sits in.
    public var dataJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity((attentions.count * (attentions.first?.count ?? 0) + rollout.count) * tokens.count * tokens.count * 5)
        func text(_ s: String) { out.append(contentsOf: s.utf8) }
        text("{\"title\":" + Self.quoted(title) + ",\"tokens\":[" + tokens.map(Self.quoted).joined(separator: ","))
        text("],\"types\":[" + tokenTypes.map(String.init).joined(separator: ",") + "],\"attentions\":[")
        for (l, layer) in attentions.enumerated() {
            text(l > 0 ? ",[" : "[")
            for (h, head) in layer.enumerated() {
                if h > 0 { text(",") }
                Self.matrix(head, into: &out)
            }
            text("]")
        }
        text("],\"rollout\":[")
        for (l, layer) in rollout.enumerated() {
            if l > 0 { text(",") }
            Self.matrix(layer, into: &out)
        }
        let palette = (0..<64).map { "\"" + ColorMap.attention.color(at: Double($0) / 63).hex + "\"" }
        text("],\"palette\":[" + palette.joined(separator: ",") + "]}")
        return String(decoding: out, as: UTF8.self)
    }

    /// The page: one HTML document, nothing fetched from anywhere.
    public func html() -> String {
        let heading = Markup.escape(title)
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(heading)</title>
        <style>
        \(AttentionViewPage.css)
        </style>
        </head>
        <body>
        <header>
        <h1>\(heading)</h1>
        <p class="note">\(tokens.count) tokens, \(attentions.count) layers × \(attentions.first?.count ?? 0) heads. \
        Lines and cells: how much each query token (left, rows) attends to each key token (right, columns).</p>
        <nav role="tablist" aria-label="Views">
        <button role="tab" id="tab-head" aria-controls="view-head" aria-selected="true">Head view</button>
        <button role="tab" id="tab-model" aria-controls="view-model" aria-selected="false">Model view</button>
        <button role="tab" id="tab-rollout" aria-controls="view-rollout" aria-selected="false">Rollout</button>
        </nav>
        </header>
        <main>
        \(AttentionViewPage.sections)
        </main>
        <script type="application/json" id="attention-data">\(dataJSON)</script>
        <script>
        \(AttentionViewPage.script)
        </script>
        </body>
        </html>

        """
    }

    /// Writes ``html()`` to `url` atomically (a temporary file in the same folder renamed over `url`; on failure
    /// nothing is left behind and `url` is untouched). Throws `HeatmapError.writeFailed` naming the path.
    public func write(to url: URL) throws(HeatmapError) {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(html().utf8).write(to: temporary, options: .withoutOverwriting)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            let ns = error as NSError
            let reason = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) } ?? ns.localizedDescription
            throw .writeFailed(path: url.path, reason: reason)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: url.path, reason: reason)
        }
    }

    /// A matrix of weights as nested JSON arrays, 3 decimals, no trailing zeros ("0", "1", "0.25"), appended as
    /// UTF-8 (a 512-token model has 19 million weights: one String per number would take seconds).
    static func matrix<T: BinaryFloatingPoint>(_ rows: [[T]], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (q, row) in rows.enumerated() {
            if q > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (k, value) in row.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                let milli = Int((min(max(Double(value), 0), 1) * 1000).rounded())
                out.append(contentsOf: thousandths[milli])
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The JSON text of k/1000 for k in 0...1000: "0", "0.001" … "0.999", "1".
    static let thousandths: [[UInt8]] = (0...1000).map { k in
        if k == 0 { return Array("0".utf8) }
        if k == 1000 { return Array("1".utf8) }
        var digits = String(k)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return Array(("0." + digits).utf8)
    }

    /// `text` as a JSON string literal that is also safe inside a `<script>` element.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            case _ where scalar.value < 0x20:
                out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
