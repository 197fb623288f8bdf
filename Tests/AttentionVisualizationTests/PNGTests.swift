import Testing
@testable import AttentionVisualization

@Suite("Checksums")
struct ChecksumTests {
    @Test("CRC-32 check values: \"123456789\" → 0xCBF43926, empty → 0, IEND → 0xAE426082")
    func crc32KnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test("Adler-32 check values: \"Wikipedia\" → 0x11E60398, empty → 1")
    func adler32KnownValues() {
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum([UInt8]()) == 1)
    }

    @Test("Long inputs fed in pieces match the bitwise references (Adler-32 crosses its reduction interval)")
    func piecewiseMatchesReference() {
        var state: UInt32 = 12345
        let bytes = (0..<40_000).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16) | 0x80  // high bytes make the sums grow fastest
        }
        var crc = CRC32(), adler = Adler32()
        for start in stride(from: 0, to: bytes.count, by: 7001) {
            let piece = bytes[start..<min(start + 7001, bytes.count)]
            crc.update(piece)
            adler.update(piece)
        }
        #expect(crc.value == ReferenceChecksum.crc32(bytes))
        #expect(adler.value == ReferenceChecksum.adler32(bytes))
        #expect(CRC32.checksum(bytes) == crc.value)
        #expect(Adler32.checksum(bytes) == adler.value)
    }
}

@Suite("PNG encoder")
struct PNGTests {
    // Grey map over 0…1 steps one sRGB code per 1/255, so v = k/255 must come out as grey k: an expectation that does
    // not go through the colour-map code.
    static let greyValues: [[Double]] = [[0, 51.0 / 255, 102.0 / 255], [153.0 / 255, 204.0 / 255, 1]]
    static let greyCodes: [[UInt8]] = [[0, 51, 102], [153, 204, 255]]

    @Test("A 2×3 grey map decodes (independent reader) to the expected pixel of every cell")
    func twoByThreeGrey() throws {
        let map = try Heatmap(Self.greyValues, range: 0...1, colorMap: .grey)
        let decoded = try PNGReader.decode(try map.pngData(cellSize: 5))
        #expect(decoded.width == 15)
        #expect(decoded.height == 10)
        #expect(decoded.bitDepth == 8)
        #expect(decoded.colorType == 2)
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.storedBlockLengths == [10 * (1 + 15 * 3)])
        for y in 0..<10 {
            for x in 0..<15 {
                let k = Self.greyCodes[y / 5][x / 5]
                #expect(decoded.pixel(x: x, y: y) == [k, k, k], "pixel (\(x), \(y))")
            }
        }
    }

    @Test("Attention colours land in their cells; the corners are the map's anchors")
    func twoByThreeAttention() throws {
        let values: [[Double]] = [[0, 0.25, 0.5], [0.75, 1, 0.3619]]
        let map = try Heatmap(values)
        let decoded = try PNGReader.decode(try map.pngData(cellSize: 3))
        #expect(decoded.width == 9 && decoded.height == 6)
        let first = ColorMap.attention.anchors.first!, last = ColorMap.attention.anchors.last!
        #expect(decoded.pixel(x: 0, y: 0) == [first.red, first.green, first.blue])
        #expect(decoded.pixel(x: 4, y: 4) == [last.red, last.green, last.blue])
        for y in 0..<6 {
            for x in 0..<9 {
                let c = ColorMap.attention.color(at: values[y / 3][x / 3])
                #expect(decoded.pixel(x: x, y: y) == [c.red, c.green, c.blue])
            }
        }
    }

    @Test("Grid lines: 1-px lines around and between cells, cells inside")
    func gridLines() throws {
        let map = try Heatmap(Self.greyValues, range: 0...1, colorMap: .grey)
        let red = RGB8(255, 0, 0)
        let decoded = try PNGReader.decode(try map.pngData(cellSize: 4, gridLines: true, gridColor: red))
        #expect(decoded.width == 3 * 5 + 1)
        #expect(decoded.height == 2 * 5 + 1)
        for y in 0..<decoded.height {
            for x in 0..<decoded.width {
                let expected: [UInt8]
                if x % 5 == 0 || y % 5 == 0 {
                    expected = [255, 0, 0]
                } else {
                    let k = Self.greyCodes[(y - 1) / 5][(x - 1) / 5]
                    expected = [k, k, k]
                }
                #expect(decoded.pixel(x: x, y: y) == expected, "pixel (\(x), \(y))")
            }
        }
    }

    @Test("More than 65535 bytes of scanlines: several stored blocks and several IDAT chunks")
    func largeImage() throws {
        let values = (0..<12).map { r in (0..<12).map { c in Double(r * 12 + c) / 143 } }
        let map = try Heatmap(values, colorMap: .grey)
        let png = try map.pngData(cellSize: 24)
        let decoded = try PNGReader.decode(png)
        let rawBytes = 288 * (1 + 288 * 3)
        #expect(rawBytes > 65_535)
        #expect(decoded.width == 288 && decoded.height == 288)
        #expect(decoded.storedBlockLengths.reduce(0, +) == rawBytes)
        #expect(decoded.storedBlockLengths.dropLast().allSatisfy { $0 == 65_535 })
        #expect(decoded.storedBlockLengths.count == (rawBytes + 65_534) / 65_535)
        #expect(decoded.idatLengths.count > 1)
        #expect(decoded.idatLengths.dropLast().allSatisfy { $0 == PNGEncoder.maxIDATLength })
        for (r, c) in [(0, 0), (5, 7), (11, 11)] {
            let k = ColorMap.grey.color(at: values[r][c])
            #expect(decoded.pixel(x: c * 24 + 12, y: r * 24 + 3) == [k.red, k.green, k.blue])
        }
    }

    @Test("zlib header is 78 01 and the signature is PNG's")
    func headers() throws {
        let png = try PNGEncoder.encode(width: 1, height: 1, pixels: [RGB8(1, 2, 3)])
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Signature (8) + IHDR chunk (4 + 4 + 13 + 4) + IDAT length and type (8): the zlib stream starts at 41.
        #expect(Array(png[41..<43]) == [0x78, 0x01])
        let decoded = try PNGReader.decode(png)
        #expect(decoded.pixels == [[1, 2, 3]])
    }

    @Test("cellSize < 1 is an error naming the size")
    func badCellSize() throws {
        let map = try Heatmap([[0.5]])
        #expect(throws: HeatmapError.self) { try map.pngData(cellSize: 0) }
        do {
            _ = try map.pngData(cellSize: -3)
            Issue.record("expected a throw")
        } catch {
            #expect(error.description == "Heatmap: cell size -3 px, expected at least 1")
        }
    }
}
