import Foundation

extension UUID {
    /// The lower-case hex digit of `value` (0...15), read from a literal in the binary: no
    /// lazily initialised global to check on every use, no branch on digit-or-letter.
    @usableFromInline @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        let digits: StaticString = "0123456789abcdef"
        return digits.utf8Start[Int(value & 0x0F)]
    }

    /// The value of each byte as a hex digit of either case, 0xFF for any other byte. Read
    /// through one buffer pointer per parse: a table lookup has no branch for random hex to
    /// mispredict, and the pointer costs one lazy-global check per UUID instead of one per byte.
    private static let hexValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "0123456789abcdef".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        for (i, c) in "ABCDEF".utf8.enumerated() { table[Int(c)] = UInt8(10 + i) }
        return table
    }()

    /// Calls `body` with the 36 bytes of the canonical lower-case form (8-4-4-4-12),
    /// formatted on the stack: token payloads and response bodies take them without a String.
    /// Inlinable, so that each caller gets it specialised (no generic metadata lookups per call).
    @inlinable
    public func withLowercased<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { out in
            var o = 0
            withUnsafeBytes(of: uuid) { raw in
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                    out[o] = Self.hexDigit(raw[i] >> 4)
                    out[o + 1] = Self.hexDigit(raw[i] & 0x0F)
                    o += 2
                }
            }
            return try body(UnsafeBufferPointer(out))
        }
    }

    /// The canonical lower-case form, as the API prints ids.
    public var lowercased: String {
        withLowercased { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses the canonical 36-character form (either case); nil for anything else.
    public init?<C: Collection>(canonical text: C) where C.Element == UInt8 {
        guard text.count == 36 else { return nil }
        // The 16 bytes are assembled on the stack: parsing a token's ids allocates nothing.
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = Self.hexValues.withUnsafeBufferPointer { hexValues in
            withUnsafeMutableBytes(of: &value) { raw -> Bool in
                var out = 0
                var high: UInt8? = nil
                for (position, c) in text.enumerated() {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard c == UInt8(ascii: "-") else { return false }
                        continue
                    }
                    let v = hexValues[Int(c)]
                    guard v != 0xFF else { return false }
                    if let h = high {
                        raw[out] = h << 4 | v
                        out += 1
                        high = nil
                    } else {
                        high = v
                    }
                }
                return true
            }
        }
        guard parsed else { return nil }
        self.init(uuid: value)
    }

    /// Builds a UUID from exactly 16 bytes.
    init(bytes raw: [UInt8]) {
        self = raw.withUnsafeBytes { buffer in
            UUID(uuid: buffer.loadUnaligned(as: uuid_t.self))
        }
    }

    /// The 16 raw bytes.
    var bytes: [UInt8] {
        withUnsafeBytes(of: uuid) { Array($0) }
    }
}
