import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of text input with where it came from, so that a message can point at it ("notes.txt:12").
struct InputLine: Equatable {
    /// The file as the user named it, or "standard input".
    let source: String
    /// 1-based line number in the original input (blank lines that were skipped still count).
    let number: Int
    let text: String

    var location: String { "\(source):\(number)" }
}

/// The CLI's one input layer: every command that reads text gets it from here.
///
/// - Sources: a file path, `-` for standard input, or any path the system can read, pipes and `/dev/stdin` included
///   (read through `FileHandle`, never `FileManager.contents(atPath:)`, which cannot read a pipe).
/// - Encoding: UTF-8 only. An invalid byte is a named error with the file, the line and the byte offset, never a
///   silent replacement (a leading byte-order mark is not content and is dropped). Command-line arguments are
///   checked the same way before parsing (Swift would otherwise turn a bad byte into U+FFFD, which the tokenizer
///   then drops: `café` in Latin-1 became `caf`).
/// - Line ends: LF, CRLF and CR alike; a final line end does not make an extra line.
/// - Blank lines (only whitespace) are skipped where a command treats lines as items; line numbers stay those of
///   the original input.
enum TextInput {
    /// The largest text input read (a guard against `--file /dev/zero` and the like).
    static let byteLimit = 256 << 20

    /// How `path` is named in messages.
    static func sourceName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// Every byte of `path` (`-`: standard input), at most ``byteLimit``.
    /// - Throws: `CLIError` .noInput for a missing, unreadable or folder path, .io for a read error, .data when
    ///   the input is larger than the limit.
    static func bytes(of path: String, option: String) throws(CLIError) -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            try InputPaths.checkFile(path, option: option)
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw .noInput("\(option) \(path): \(String(cString: strerror(errno)))") }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        var out: [UInt8] = []
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw .io("\(option) \(sourceName(path)): read failed: \(InputPaths.reason(error))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            out.append(contentsOf: chunk)
            guard out.count <= byteLimit else {
                throw .data("\(option) \(sourceName(path)): more than \(byteLimit >> 20) MiB, the limit for text input")
            }
        }
        return out
    }

    /// The lines of `path`, decoded and numbered; blank lines skipped when `skippingBlank`.
    static func lines(of path: String, option: String, skippingBlank: Bool = true) throws(CLIError) -> [InputLine] {
        try lines(in: try bytes(of: path, option: option), source: "\(option) \(sourceName(path))", skippingBlank: skippingBlank)
    }

    /// The lines of `bytes` split at LF, CRLF or CR, each validated as UTF-8.
    static func lines(in bytes: [UInt8], source: String, skippingBlank: Bool = true) throws(CLIError) -> [InputLine] {
        var out: [InputLine] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0, number = 1, i = start
        func emit(_ end: Int) throws(CLIError) {
            let text = try decode(bytes[start..<end], source: source, line: number, lineStart: start)
            if !(skippingBlank && text.allSatisfy(\.isWhitespace)) { out.append(InputLine(source: source, number: number, text: text)) }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                try emit(i)
                i += (b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
                start = i
                number += 1
            } else {
                i += 1
            }
        }
        if start < bytes.count { try emit(bytes.count) }
        return out
    }

    /// `bytes` as a String, or a named error at the first byte that is not UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>, source: String, line: Int, lineStart: Int) throws(CLIError) -> String {
        if let offset = firstInvalidUTF8(bytes) {
            let byte = String(format: "0x%02X", bytes[offset])
            throw .data("\(source):\(line): not UTF-8: byte \(byte) at byte offset \(offset) of the input "
                        + "(column \(offset - lineStart + 1) in bytes); convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The index of the first byte of `bytes` that does not begin a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8<C: Collection>(_ bytes: C) -> C.Index? where C.Element == UInt8 {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var index = bytes.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): index = bytes.index(index, offsetBy: scalar.count)
            case .emptyInput: return nil
            case .error: return index
            }
        }
    }

    /// Checks that every command-line argument is UTF-8 (Swift's `CommandLine.arguments` would repair bad bytes
    /// to U+FFFD without a word).
    static func checkArguments() throws(CLIError) {
        for k in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[k] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            if let offset = firstInvalidUTF8(bytes) {
                throw .usage("argument \(k) is not UTF-8: byte \(String(format: "0x%02X", bytes[offset])) at byte offset \(offset)")
            }
        }
    }
}
