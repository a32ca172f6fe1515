import Engine
import Foundation
import NIOCore

/// Writes JSON straight into a `ByteBuffer`, with commas placed for you.
///
/// Response bodies are built field by field with no intermediate
/// dictionaries or `Codable`; keys are static strings written verbatim, string
/// values are escaped per RFC 8259 (quote, backslash, control characters).
public struct JSONWriter {
    /// The bytes written so far.
    public var buffer: ByteBuffer
    private var needsComma = false

    /// Starts writing into `buffer` (appending after its current contents).
    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    private mutating func separate() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
    }

    /// `{`
    public mutating func beginObject() {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`
    public mutating func endObject() {
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`
    public mutating func beginArray() {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
    }

    /// `]`
    public mutating func endArray() {
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// `"key":` for a key known at compile time (must need no escaping).
    public mutating func key(_ key: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(key)
        buffer.writeStaticString("\":")
        needsComma = false
    }

    /// A string value, escaped.
    public mutating func string(_ value: String) {
        separate()
        Self.writeEscaped(value, into: &buffer)
        needsComma = true
    }

    /// A string value, or `null`.
    public mutating func string(orNull value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A UUID as a lower-case string (the engine's formatter, no Foundation, no String).
    public mutating func uuid(_ value: UUID) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        value.withLowercased { buffer.writeBytes(UnsafeRawBufferPointer($0)) }
        buffer.writeInteger(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A timestamp as an ISO 8601 string (UTC, milliseconds), without an intermediate String.
    public mutating func timestamp(_ value: Timestamp) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        value.withISO8601 { buffer.writeBytes(UnsafeRawBufferPointer($0)) }
        buffer.writeInteger(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A timestamp, or `null`.
    public mutating func timestamp(orNull value: Timestamp?) {
        if let value { timestamp(value) } else { null() }
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        buffer.writeStaticString(value ? "true" : "false")
        needsComma = true
    }

    /// An integer value.
    public mutating func integer(_ value: Int) {
        separate()
        buffer.writeString(String(value))
        needsComma = true
    }

    /// `null`
    public mutating func null() {
        separate()
        buffer.writeStaticString("null")
        needsComma = true
    }

    /// Appends `value` as a quoted, escaped JSON string.
    public static func writeEscaped(_ value: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var utf8 = value.utf8
        let done: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            writeEscapedBytes(bytes, into: &buffer)
        }
        if done == nil {
            var copy = value
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
            _ = utf8.withContiguousStorageIfAvailable { writeEscapedBytes($0, into: &buffer) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func writeEscapedBytes(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index {
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<index])))
            }
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x08: buffer.writeStaticString("\\b")
            case 0x0C: buffer.writeStaticString("\\f")
            default:
                let hex: StaticString = "0123456789abcdef"
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
                buffer.writeInteger(hex.utf8Start[Int(byte & 0x0F)])
            }
        }
        if runStart < bytes.count {
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])))
        }
    }
}
