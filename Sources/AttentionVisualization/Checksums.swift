/// CRC-32 as used by PNG chunks, zip and gzip (ISO 3309 / ITU-T V.42): reflected polynomial `0xEDB88320`, initial
/// value and final XOR `0xFFFFFFFF`, processed one byte at a time through a 256-entry table.
///
/// Feed bytes in any number of pieces; the value is the same as one call on the whole.
///
/// ```swift
/// CRC32.checksum(Array("123456789".utf8))   // 0xCBF43926
/// var crc = CRC32()
/// crc.update(Array("IEND".utf8))
/// crc.value                                  // 0xAE426082
/// ```
public struct CRC32: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    /// An empty checksum (the CRC-32 of no bytes is 0).
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        var c = state
        for byte in bytes {
            c = CRC32.table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
        }
        state = c
    }

    /// The CRC-32 of every byte added so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    // Entry n is the remainder of the byte n shifted through eight rounds of the reflected polynomial.
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 {
            c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }
}

/// Adler-32 (RFC 1950), the checksum that ends a zlib stream: two sums modulo 65521, `B << 16 | A`, where A starts at 1
/// and adds each byte, and B adds each new A.
///
/// ```swift
/// Adler32.checksum(Array("Wikipedia".utf8))   // 0x11E60398
/// ```
public struct Adler32: Sendable {
    private var a: UInt32 = 1
    private var b: UInt32 = 0
    private static let modulus: UInt32 = 65521
    // The largest run of bytes whose sums cannot overflow UInt32 before reducing (zlib's NMAX).
    private static let run = 5552

    /// An empty checksum (the Adler-32 of no bytes is 1).
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        var a = self.a, b = self.b
        var pending = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            pending += 1
            if pending == Adler32.run {
                a %= Adler32.modulus
                b %= Adler32.modulus
                pending = 0
            }
        }
        self.a = a % Adler32.modulus
        self.b = b % Adler32.modulus
    }

    /// The Adler-32 of every byte added so far.
    public var value: UInt32 { b << 16 | a }

    /// The Adler-32 of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
