import AttentionSupport
/// A file format that is not safetensors but is often mistaken for it: what the reader names instead of a generic
/// "bad header" when a file fails the first structural checks.
///
/// ```swift
/// let bytes = Array("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 90868376\n".utf8)
/// print(ForeignFormat.sniff(bytes)!)   // a Git LFS pointer (the real file, 90868376 bytes, was never downloaded: ...)
/// ```
public enum ForeignFormat: Equatable, Sendable, CustomStringConvertible {
    /// A Python pickle: PyTorch's legacy `.bin` / `.pt` format (protocol 2...5).
    case pickle(protocol: Int)
    /// A zip archive whose entries look like `torch.save` output (`data.pkl`).
    case pytorchZip
    /// Any other zip archive.
    case zip
    /// llama.cpp's GGUF.
    case gguf(version: UInt32)
    /// A Git LFS pointer: the repository was cloned without `git lfs pull`.
    case gitLFSPointer(size: Int?)
    /// A NumPy `.npy` array.
    case numpy
    /// HDF5 (Keras `.h5`).
    case hdf5
    /// A web page (a download that returned an error or login page).
    case html
    /// A JSON document (e.g. `config.json` or `model.safetensors.index.json` passed by mistake).
    case json
    /// Some other text file.
    case text

    /// What the file is, and how to convert it when there is a way (e.g. "a Python pickle …; convert it with safetensors.torch.save_file").
    public var description: String {
        switch self {
        case .pickle(let p):
            return "a Python pickle (protocol \(p)), the legacy PyTorch .bin/.pt format; convert it with safetensors.torch.save_file"
        case .pytorchZip:
            return "a PyTorch checkpoint (a zip of pickles from torch.save); convert it with safetensors.torch.save_file"
        case .zip:
            return "a zip archive"
        case .gguf(let v):
            return "a GGUF file (version \(v), llama.cpp's format)"
        case .gitLFSPointer(let size):
            let real = size.map { "the real file, \($0) bytes, " } ?? "the real file "
            return "a Git LFS pointer (\(real)was never downloaded: run 'git lfs pull')"
        case .numpy:
            return "a NumPy .npy array"
        case .hdf5:
            return "an HDF5 file (e.g. Keras .h5)"
        case .html:
            return "an HTML page (the download probably returned an error or login page)"
        case .json:
            return "a JSON document, not a binary safetensors file"
        case .text:
            return "a text file"
        }
    }

    /// Recognises a foreign format from the first bytes of a file (a few hundred are enough), or returns nil.
    ///
    /// Only called after a file has failed the first safetensors checks: a real safetensors file starts with a small
    /// little-endian length whose high bytes are zero, which none of these signatures can be.
    public static func sniff<C: Collection>(_ bytes: C) -> ForeignFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(512))
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(Array("version https://git-lfs.github.com/spec/".utf8)) {
            return .gitLFSPointer(size: lfsSize(head))
        }
        if starts([0x47, 0x47, 0x55, 0x46]) {  // "GGUF"
            let v = head.count >= 8 ? head[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
            return .gguf(version: v)
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            // torch.save names its entries "<archive>/data.pkl", "<archive>/data/0", ...; the first entry's name
            // sits in the first local header.
            return contains(head, Array("data.pkl".utf8)) || contains(head, Array("/data/".utf8)) ? .pytorchZip : .zip
        }
        if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) { return .pickle(protocol: Int(head[1])) }
        if starts([0x93] + Array("NUMPY".utf8)) { return .numpy }
        if starts([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .hdf5 }
        guard isText(head) else { return nil }
        let trimmed = head.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
        let lower = String(decoding: trimmed.prefix(64), as: UTF8.self).lowercased()
        if lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || lower.hasPrefix("<head") || lower.hasPrefix("<?xml") && lower.contains("html") {
            return .html
        }
        if let first = trimmed.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return .json }
        return .text
    }

    private static func lfsSize(_ head: [UInt8]) -> Int? {
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("size ") {
            return Int(line.dropFirst(5).trimmingCharacters(in: " \r\t"))
        }
        return nil
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// Printable UTF-8 with ordinary whitespace, no NUL or other control bytes: what a text editor would show.
    private static func isText(_ head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return false }
        for b in head where b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { return false }
        // The 512-byte sample may end in the middle of a multi-byte character.
        for cut in 0...min(3, head.count - 1) where UTF8Validation.firstInvalidOffset(head.dropLast(cut)) == nil {
            return true
        }
        return false
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
