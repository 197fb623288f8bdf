import Foundation

/// A line-numbered reading of UTF-8 text: the lines of a corpus file with their 1-based line numbers, line ends
/// LF, CRLF or CR, blank lines dropped (their numbers are kept by the lines that remain, so errors point at the file).
///
/// Swift treats "\r\n" as one `Character`, so lines are split on bytes, never on `Character`s.
public struct NumberedLines: Sendable, Equatable {
    /// One line of a text file: its 1-based number and its text without the line end.
    public struct Line: Sendable, Equatable {
        /// The line's number, from 1.
        public let number: Int
        /// The line's text, without "\n" or "\r\n".
        public let text: String
        /// A line from its number and text.
        public init(number: Int, text: String) { self.number = number; self.text = text }
    }

    /// The lines, in file order.
    public let lines: [Line]

    /// Lines read and numbered elsewhere (the CLI's input layer).
    public init(lines: [Line]) { self.lines = lines }

    /// Decodes `bytes` (a leading UTF-8 byte-order mark is skipped). Invalid UTF-8 throws with the line and byte offset.
    public init(bytes: [UInt8], source: String) throws(TextFileError) {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var number = 1, out: [Line] = []
        var i = start
        func take(_ end: Int) throws(TextFileError) {
            let slice = bytes[start..<end]
            guard let text = String(validating: slice, as: UTF8.self) else {
                var offset = start
                // The first byte where decoding fails: decode growing prefixes only up to the failure.
                var it = slice.makeIterator(), decoder = UTF8()
                loop: while true {
                    switch decoder.decode(&it) {
                    case .scalarValue(let s): offset += UTF8.width(s)
                    case .emptyInput, .error: break loop
                    }
                }
                throw .invalidUTF8(source: source, line: number, byteOffset: offset)
            }
            if !text.allSatisfy(\.isWhitespace) { out.append(Line(number: number, text: text)) }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                try take(i)
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                number += 1
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { try take(bytes.count) }
        lines = out
    }

    /// Reads a file, or standard input for `-` (pipes included: the bytes are read to the end, not memory-mapped).
    public init(contentsOf path: String) throws(TextFileError) {
        try self.init(bytes: try Self.readBytes(path), source: path == "-" ? "<stdin>" : path)
    }

    /// The bytes of the file at `path`, or of standard input for "-".
    /// - Throws: `TextFileError` naming the path when it cannot be read.
    public static func readBytes(_ path: String) throws(TextFileError) -> [UInt8] {
        if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path) }
        if isDirectory.boolValue { throw .isFolder(path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path) }
        defer { try? handle.close() }
        do { return [UInt8](try handle.readToEnd() ?? Data()) } catch { throw .unreadable(path) }
    }
}

/// A text corpus that could not be read.
public enum TextFileError: Error, CustomStringConvertible, Equatable {
    /// No file at the path.
    case missing(String)
    /// The path is a folder.
    case isFolder(String)
    /// The file could not be read.
    case unreadable(String)
    /// Bytes that are not UTF-8, with the line and the byte offset.
    case invalidUTF8(source: String, line: Int, byteOffset: Int)
    /// A line with the wrong number of tab-separated fields.
    case columns(source: String, line: Int, expected: Int, found: Int)
    /// A line with an empty label or text.
    case emptyField(source: String, line: Int, column: String)
    /// The file holds no examples.
    case empty(source: String)

    /// The message, naming the file and line and what was wrong.
    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such file"
        case .isFolder(let p): return "\(p): is a folder, not a file"
        case .unreadable(let p): return "\(p): cannot be read"
        case let .invalidUTF8(s, line, offset): return "\(s):\(line): invalid UTF-8 at byte \(offset) of the file"
        case let .columns(s, line, expected, found):
            return "\(s):\(line): expected \(expected) tab-separated columns, found \(found)"
        case let .emptyField(s, line, column): return "\(s):\(line): the \(column) is empty"
        case .empty(let s): return "\(s): no data lines (the file is empty or blank)"
        }
    }
}

/// One `label<TAB>text` example of a classification corpus.
public struct LabelledText: Sendable, Equatable {
    /// The example's label.
    public let label: String
    /// The example's text.
    public let text: String
    /// Line in the file it came from (1-based; 0 for examples made in memory).
    public let line: Int

    /// An example; `line` is 0 for one made in memory.
    public init(label: String, text: String, line: Int = 0) {
        self.label = label; self.text = text; self.line = line
    }

    /// Parses a UTF-8 TSV of `label<TAB>text` lines (LF or CRLF; blank lines skipped). Labels and texts are trimmed
    /// of surrounding spaces; a line with no tab, more than one tab, or an empty field is an error naming the line.
    public static func readTSV(_ lines: NumberedLines, source: String) throws(TextFileError) -> [LabelledText] {
        try readTSV(lines.lines, source: source)
    }

    /// The same over lines read elsewhere (the CLI reads its inputs itself).
    public static func readTSV(_ lines: [NumberedLines.Line], source: String) throws(TextFileError) -> [LabelledText] {
        var out: [LabelledText] = []
        for line in lines {
            let fields = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { throw .columns(source: source, line: line.number, expected: 2, found: fields.count) }
            let label = fields[0].trimmingCharacters(in: .whitespaces), text = fields[1].trimmingCharacters(in: .whitespaces)
            if label.isEmpty { throw .emptyField(source: source, line: line.number, column: "label") }
            if text.isEmpty { throw .emptyField(source: source, line: line.number, column: "text") }
            out.append(LabelledText(label: label, text: text, line: line.number))
        }
        if out.isEmpty { throw .empty(source: source) }
        return out
    }

    /// Reads and parses the TSV file at `path` ("-": standard input) as `readTSV(_:source:)` does.
    public static func readTSV(path: String) throws(TextFileError) -> [LabelledText] {
        let source = path == "-" ? "<stdin>" : path
        return try readTSV(try NumberedLines(contentsOf: path), source: source)
    }
}
