import Foundation

/// A JSON value whose objects keep the order their keys are declared in, so that every run prints the same bytes
/// (`JSONSerialization` and `JSONEncoder` on Linux order keys by hash, which changes from run to run).
indirect enum JSONValue {
    case object(KeyValuePairs<String, JSONValue>)
    /// An object built at run time (keys in array order), e.g. one key per label.
    case ordered([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case double(Double)
    /// Written as the shortest decimal that reads back as the same Float32.
    case float(Float)
    case bool(Bool)
    /// An array of Float32 numbers (each as `.float`), written in one loop: for large outputs (e.g. every attention
    /// weight of a model) where one `JSONValue` per number costs seconds.
    case floats([Float])

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
    static func ints(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.int)) }
    static func doubles(_ values: [Double]) -> JSONValue { .array(values.map(JSONValue.double)) }

    /// The compact JSON text (no spaces, "/" not escaped). A non-finite number is an error naming its path.
    func text() throws(CLIError) -> String {
        var out = ""
        try write(into: &out, path: "$")
        return out
    }

    private func write(into out: inout String, path: String) throws(CLIError) {
        switch self {
        case .object(let pairs):
            try JSONValue.ordered(pairs.map { ($0.key, $0.value) }).write(into: &out, path: path)
        case .ordered(let pairs):
            out += "{"
            for (k, (key, value)) in pairs.enumerated() {
                if k > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                try value.write(into: &out, path: path + "." + key)
            }
            out += "}"
        case .array(let values):
            out += "["
            for (k, value) in values.enumerated() {
                if k > 0 { out += "," }
                try value.write(into: &out, path: path + "[\(k)]")
            }
            out += "]"
        case .string(let s): Self.quote(s, into: &out)
        case .int(let n): out += String(n)
        case .double(let x):
            guard x.isFinite else { throw .data("the result \(path) is \(x), which JSON cannot represent") }
            out += x.description
        case .float(let x):
            guard x.isFinite else { throw .data("the result \(path) is \(x), which JSON cannot represent") }
            out += x.description
        case .bool(let b): out += b ? "true" : "false"
        case .floats(let values):
            out += "["
            for (k, x) in values.enumerated() {
                guard x.isFinite else { throw .data("the result \(path)[\(k)] is \(x), which JSON cannot represent") }
                if k > 0 { out += "," }
                out += x.description
            }
            out += "]"
        }
    }

    /// `s` as a JSON string literal, escaped by Foundation's encoder ("/" left as is).
    private static func quote(_ s: String, into out: inout String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a String cannot fail.
        out += String(decoding: (try? encoder.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// Prints `value` as one line of JSON.
func printJSON(_ value: JSONValue) throws(CLIError) {
    Output.line(try value.text())
}
