/// The UTF-8 bytes of a `JSONRawString`'s value: escapes (surrogate pairs included) are
/// decoded lazily while iterating, so comparing or copying a value needs no buffer of its own.
///
/// Only ever made from bytes a `JSONReader` has validated; it does not check them again.
public struct JSONDecodedBytes: Sequence {
    @usableFromInline let raw: UnsafeRawBufferPointer

    @inlinable
    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(raw: raw) }

    /// Steps through the raw bytes, expanding one escape at a time.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let raw: UnsafeRawBufferPointer
        @usableFromInline var index = 0
        /// Bytes of a decoded escape still to hand out, lowest byte first.
        @usableFromInline var pending: UInt32 = 0
        @usableFromInline var pendingCount = 0

        @inlinable
        init(raw: UnsafeRawBufferPointer) { self.raw = raw }

        @inlinable
        public mutating func next() -> UInt8? {
            if pendingCount > 0 {
                let byte = UInt8(truncatingIfNeeded: pending)
                pending >>= 8
                pendingCount -= 1
                return byte
            }
            guard index < raw.count else { return nil }
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                return byte
            }
            return decodeEscape()
        }

        @usableFromInline
        mutating func decodeEscape() -> UInt8? {
            let kind = raw[index + 1]
            index += 2
            let scalar: UInt32
            switch kind {
            case UInt8(ascii: "b"): scalar = 0x08
            case UInt8(ascii: "f"): scalar = 0x0C
            case UInt8(ascii: "n"): scalar = 0x0A
            case UInt8(ascii: "r"): scalar = 0x0D
            case UInt8(ascii: "t"): scalar = 0x09
            case UInt8(ascii: "u"):
                let unit = hex4()
                if (0xD800...0xDBFF).contains(unit) {
                    index += 2  // the low half's "\u"
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (hex4() - 0xDC00)
                } else {
                    scalar = unit
                }
            default: scalar = UInt32(kind)  // " \ /
            }
            switch scalar {
            case 0..<0x80:
                return UInt8(scalar)
            case 0x80..<0x800:
                pending = 0x80 | (scalar & 0x3F)
                pendingCount = 1
                return UInt8(0xC0 | (scalar >> 6))
            case 0x800..<0x10000:
                pending = (0x80 | ((scalar >> 6) & 0x3F)) | (0x80 | (scalar & 0x3F)) << 8
                pendingCount = 2
                return UInt8(0xE0 | (scalar >> 12))
            default:
                pending = (0x80 | ((scalar >> 12) & 0x3F)) | (0x80 | ((scalar >> 6) & 0x3F)) << 8 | (0x80 | (scalar & 0x3F)) << 16
                pendingCount = 3
                return UInt8(0xF0 | (scalar >> 18))
            }
        }

        @usableFromInline
        mutating func hex4() -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                value = value << 4 | (JSONRawString.hexValue(raw[index]) ?? 0)
                index += 1
            }
            return value
        }
    }
}
