/// Unpadded base64url (RFC 4648 §5), the alphabet of JWT segments.
///
/// The loops read their table through one `withUnsafeBufferPointer`: indexing the global array
/// per byte would cost its lazy-initialisation check (`swift_once`) and a bounds check per byte
/// on the hot path (every token read: 1.9% of the server's CPU under `me` load).
enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Appends the encoding of `input` to `output`.
    static func encode<C: Collection>(_ input: C, into output: inout [UInt8]) where C.Element == UInt8 {
        alphabet.withUnsafeBufferPointer { alphabet in
            var iterator = input.makeIterator()
            while let b0 = iterator.next() {
                let b1 = iterator.next()
                let b2 = iterator.next()
                output.append(alphabet[Int(b0 >> 2)])
                output.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
                if let b1 {
                    output.append(alphabet[Int((b1 & 0x0F) << 2 | (b2 ?? 0) >> 6)])
                }
                if let b2 {
                    output.append(alphabet[Int(b2 & 0x3F)])
                }
            }
        }
    }

    static func encode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity((input.count * 4 + 2) / 3)
        encode(input, into: &out)
        return out
    }

    /// Decodes unpadded base64url; nil for any character outside the alphabet, padding,
    /// a length of 1 mod 4, or non-zero trailing bits (so each token has one encoding).
    static func decode<C: Collection>(_ input: C) -> [UInt8]? where C.Element == UInt8 {
        let bytes = Array(input)
        var out = [UInt8](repeating: 0, count: bytes.count * 3 / 4)
        let length = bytes.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { decode(source, into: $0) }
        }
        guard let length else { return nil }
        out.removeLast(out.count - length)
        return out
    }
}

extension Base64URL {
    /// Decodes `input` into `output` (which must hold `input.count * 3 / 4` bytes) without
    /// allocating; returns the decoded length, or nil for non-canonical input.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let count = input.count
        if count % 4 == 1 || output.count < count * 3 / 4 { return nil }
        return decodeTable.withUnsafeBufferPointer { table -> Int? in
            var accumulator: UInt32 = 0
            var bits = 0
            var written = 0
            for byte in input {
                let value = table[Int(byte)]
                if value == 0xFF { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    written += 1
                }
            }
            if bits > 0 && accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
            return written
        }
    }
}
