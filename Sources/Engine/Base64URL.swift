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
