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

    /// The length of the unpadded encoding of `count` bytes.
    static func encodedLength(_ count: Int) -> Int {
        (count * 4 + 2) / 3
    }

    /// Writes the encoding of `input` at the start of `output` (which must hold
    /// `encodedLength(input.count)` bytes) and returns its length: whole groups of three bytes
    /// at a time, no allocation, one table pointer.
    static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = input.count
        precondition(output.count >= encodedLength(count))
        return alphabet.withUnsafeBufferPointer { alphabet -> Int in
            var read = 0
            var written = 0
            while read + 3 <= count {
                let b0 = input[read], b1 = input[read + 1], b2 = input[read + 2]
                output[written] = alphabet[Int(b0 >> 2)]
                output[written + 1] = alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)]
                output[written + 2] = alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                output[written + 3] = alphabet[Int(b2 & 0x3F)]
                read += 3
                written += 4
            }
            switch count - read {
            case 1:
                let b0 = input[read]
                output[written] = alphabet[Int(b0 >> 2)]
                output[written + 1] = alphabet[Int((b0 & 0x03) << 4)]
                written += 2
            case 2:
                let b0 = input[read], b1 = input[read + 1]
                output[written] = alphabet[Int(b0 >> 2)]
                output[written + 1] = alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)]
                output[written + 2] = alphabet[Int((b1 & 0x0F) << 2)]
                written += 3
            default:
                break
            }
            return written
        }
    }

    /// Appends the encoding of `input` to `output`.
    static func encode<C: Collection>(_ input: C, into output: inout [UInt8]) where C.Element == UInt8 {
        let bytes = Array(input)
        let start = output.count
        let length = encodedLength(bytes.count)
        output.append(contentsOf: repeatElement(0, count: length))
        output.withUnsafeMutableBytes { all in
            bytes.withUnsafeBytes { _ = encode($0, into: UnsafeMutableRawBufferPointer(rebasing: all[start...])) }
        }
    }

    static func encode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var out = [UInt8]()
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
    /// allocating; returns the decoded length, or nil for non-canonical input. Four characters
    /// (three bytes) per step, then the two- or three-character tail, whose unused low bits
    /// must be zero.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let count = input.count
        if count % 4 == 1 || output.count < count * 3 / 4 { return nil }
        return decodeTable.withUnsafeBufferPointer { table -> Int? in
            var index = 0
            var written = 0
            while index + 4 <= count {
                let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                // Every value of the alphabet is below 64; 0xFF (not in it) has the top bits set.
                if (a | b | c | d) & 0xC0 != 0 { return nil }
                let bits = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output[written] = UInt8(truncatingIfNeeded: bits >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: bits)
                written += 3
                index += 4
            }
            switch count - index {
            case 2:
                let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                if (a | b) & 0xC0 != 0 || b & 0x0F != 0 { return nil }
                output[written] = a << 2 | b >> 4
                written += 1
            case 3:
                let a = table[Int(input[index])], b = table[Int(input[index + 1])], c = table[Int(input[index + 2])]
                if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 { return nil }
                output[written] = a << 2 | b >> 4
                output[written + 1] = b << 4 | c >> 2
                written += 2
            default:
                break
            }
            return written
        }
    }
}
