// An independent PNG reader for the tests: it shares no code with the encoder (its CRC-32 is bitwise, its Adler-32
// reduces after every byte), and it accepts only what the encoder promises to write — 8-bit RGB, no interlace,
// filter type 0, stored deflate blocks — failing loudly on anything else.

struct DecodedPNG {
    var width: Int
    var height: Int
    var bitDepth: UInt8
    var colorType: UInt8
    var chunkTypes: [String]
    var idatLengths: [Int]
    var storedBlockLengths: [Int]
    /// Row-major (r, g, b) triples.
    var pixels: [[UInt8]]

    func pixel(x: Int, y: Int) -> [UInt8] { pixels[y * width + x] }
}

struct PNGReadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum ReferenceChecksum {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                let lowBit = crc & 1
                crc >>= 1
                if lowBit == 1 { crc ^= 0xEDB8_8320 }
            }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return (b << 16) | a
    }
}

enum PNGReader {
    static func decode(_ png: [UInt8]) throws -> DecodedPNG {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard png.count >= 8, Array(png[0..<8]) == signature else { throw PNGReadError("bad signature") }
        var at = 8
        func u32(_ i: Int) -> UInt32 {
            UInt32(png[i]) << 24 | UInt32(png[i + 1]) << 16 | UInt32(png[i + 2]) << 8 | UInt32(png[i + 3])
        }
        var types: [String] = [], idat: [UInt8] = [], idatLengths: [Int] = []
        var header: [UInt8] = []
        while at < png.count {
            guard at + 12 <= png.count else { throw PNGReadError("truncated chunk header at \(at)") }
            let length = Int(u32(at))
            guard at + 12 + length <= png.count else { throw PNGReadError("chunk at \(at) runs past the end") }
            let typeAndData = Array(png[(at + 4)..<(at + 8 + length)])
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            let stored = u32(at + 8 + length)
            let computed = ReferenceChecksum.crc32(typeAndData)
            guard stored == computed else { throw PNGReadError("\(type) CRC \(stored) != computed \(computed)") }
            let data = Array(typeAndData[4...])
            types.append(type)
            switch type {
            case "IHDR": header = data
            case "IDAT": idat += data; idatLengths.append(length)
            default: break
            }
            at += 12 + length
        }
        guard types.first == "IHDR", types.last == "IEND", header.count == 13 else {
            throw PNGReadError("chunk order \(types)")
        }
        let width = Int(UInt32(header[0]) << 24 | UInt32(header[1]) << 16 | UInt32(header[2]) << 8 | UInt32(header[3]))
        let height = Int(UInt32(header[4]) << 24 | UInt32(header[5]) << 16 | UInt32(header[6]) << 8 | UInt32(header[7]))
        guard header[10] == 0, header[11] == 0, header[12] == 0 else { throw PNGReadError("unsupported IHDR \(header)") }

        // zlib header: CM 8, and (CMF·256 + FLG) a multiple of 31, no preset dictionary.
        guard idat.count >= 6 else { throw PNGReadError("zlib stream too short") }
        let cmf = idat[0], flg = idat[1]
        guard cmf & 0x0F == 8, (UInt16(cmf) * 256 + UInt16(flg)) % 31 == 0, flg & 0x20 == 0 else {
            throw PNGReadError("bad zlib header \(cmf) \(flg)")
        }
        var p = 2, raw: [UInt8] = [], blocks: [Int] = []
        var final = false
        while !final {
            guard p + 5 <= idat.count else { throw PNGReadError("truncated deflate block at \(p)") }
            let bits = idat[p]
            final = bits & 1 == 1
            guard (bits >> 1) & 3 == 0 else { throw PNGReadError("block type \((bits >> 1) & 3) is not stored") }
            let len = Int(idat[p + 1]) | Int(idat[p + 2]) << 8
            let nlen = Int(idat[p + 3]) | Int(idat[p + 4]) << 8
            guard len ^ nlen == 0xFFFF else { throw PNGReadError("LEN \(len) and NLEN \(nlen) disagree") }
            p += 5
            guard p + len <= idat.count else { throw PNGReadError("stored block runs past the stream") }
            raw += idat[p..<(p + len)]
            blocks.append(len)
            p += len
        }
        guard p + 4 == idat.count else { throw PNGReadError("\(idat.count - p) bytes after the last block, expected 4") }
        let adler = UInt32(idat[p]) << 24 | UInt32(idat[p + 1]) << 16 | UInt32(idat[p + 2]) << 8 | UInt32(idat[p + 3])
        guard adler == ReferenceChecksum.adler32(raw) else { throw PNGReadError("Adler-32 mismatch") }

        let stride = 1 + 3 * width
        guard raw.count == stride * height else { throw PNGReadError("\(raw.count) bytes, expected \(stride * height)") }
        var pixels: [[UInt8]] = []
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            guard raw[y * stride] == 0 else { throw PNGReadError("row \(y) filter \(raw[y * stride]), expected 0") }
            for x in 0..<width {
                let i = y * stride + 1 + 3 * x
                pixels.append([raw[i], raw[i + 1], raw[i + 2]])
            }
        }
        return DecodedPNG(width: width, height: height, bitDepth: header[8], colorType: header[9], chunkTypes: types,
                          idatLengths: idatLengths, storedBlockLengths: blocks, pixels: pixels)
    }
}
