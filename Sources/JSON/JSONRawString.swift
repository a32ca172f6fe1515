/// A JSON string as it stands in the text: the bytes between its quotes, already validated by
/// the `JSONReader` that read it, escapes not yet decoded.
///
/// Comparing it (`equals`) decodes escapes on the fly, so a key or claim is matched in place
/// with no `String` and no copy; the common string without escapes is a plain byte compare.
/// Valid only while the reader's buffer is.
public struct JSONRawString {
    /// The bytes between the quotes, escapes as written.
    public let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` holds a backslash escape (if not, `bytes` is the value itself).
    public let hasEscapes: Bool

    @inlinable
    init(bytes: UnsafeRawBufferPointer, hasEscapes: Bool) {
        self.bytes = bytes
        self.hasEscapes = hasEscapes
    }

    /// The value's UTF-8 bytes, escapes decoded one at a time as they are iterated.
    @inlinable public var decodedBytes: JSONDecodedBytes { JSONDecodedBytes(bytes) }

    /// Whether the decoded value is exactly the UTF-8 bytes `expected`.
    @inlinable
    public func equals(_ expected: some Collection<UInt8>) -> Bool {
        if !hasEscapes {
            guard bytes.count == expected.count else { return false }
            return bytes.elementsEqual(expected)
        }
        return decodedBytes.elementsEqual(expected)
    }

    /// Whether the decoded value is exactly `expected` (a key known at compile time).
    @inlinable
    public func equals(_ expected: StaticString) -> Bool {
        expected.withUTF8Buffer { equals($0) }
    }

    /// The value of a hexadecimal digit, or nil.
    @inlinable
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
