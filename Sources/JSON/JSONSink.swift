/// Where JSON text is written: a byte buffer the caller owns.
///
/// Two kinds exist: `[UInt8]` (the engine's tokens and key sets, conformed here) and NIO's
/// `ByteBuffer` (response bodies and log lines, conformed by the HTTP front, so they are
/// written in place with no copy while this module knows nothing of NIO).
public protocol JSONSink {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends `bytes` as they are.
    mutating func append(bytes: UnsafeRawBufferPointer)
}

extension JSONSink {
    /// Appends text known at compile time, as it is (it must be valid JSON where it lands).
    @inlinable
    public mutating func append(_ text: StaticString) {
        append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 bytes of `text` as they are, unescaped: for text the caller knows to be
    /// safe where it lands (an id it generated, a header value it checked), not for JSON strings.
    @inlinable
    public mutating func appendUnescaped(_ text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` as a JSON string literal, quotes included, escaped as RFC 8259 requires:
    /// quote, backslash and the control characters (short forms where JSON has one, `\u00XX`
    /// for the others); everything else is copied as UTF-8, in runs.
    @inlinable
    public mutating func appendJSONString(_ value: String) {
        append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0)) }
        append(UInt8(ascii: "\""))
    }

    /// Appends the escaped form of UTF-8 `bytes` (no quotes).
    @inlinable
    public mutating func appendEscaped(_ bytes: UnsafeRawBufferPointer) {
        var runStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            // Eight plain bytes at a time; a word with anything else is looked at byte by byte.
            if count - index >= 8, PlainASCIIWord.isPlain(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let end = Swift.min(index + 8, count)
            while index < end {
                defer { index += 1 }
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    append("\\u00")
                    append(hex.utf8Start[Int(byte >> 4)])
                    append(hex.utf8Start[Int(byte & 0x0F)])
                }
            }
        }
        if runStart < bytes.count { append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
    }

    /// Appends `value` in decimal, formatted on the stack.
    @inlinable
    public mutating func appendJSONInteger(_ value: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { append(UInt8(ascii: "-")) }
            append(bytes: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[start..<20])))
        }
    }
}
