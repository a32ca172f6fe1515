import Foundation

/// Decoding counterpart of `BinaryWriter`; every read is bounds-checked and throws
/// `EngineDecodingError` instead of trapping on damaged input.
struct BinaryReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws(EngineDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(offset: offset) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func readUInt8() throws(EngineDecodingError) -> UInt8 { try take(1).first! }
    mutating func readUInt16() throws(EngineDecodingError) -> UInt16 {
        let s = try take(2); return s.reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }
    mutating func readUInt32() throws(EngineDecodingError) -> UInt32 {
        let s = try take(4); return s.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func readUInt64() throws(EngineDecodingError) -> UInt64 {
        let s = try take(8); return s.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func readInt64() throws(EngineDecodingError) -> Int64 { Int64(bitPattern: try readUInt64()) }
    mutating func readTimestamp() throws(EngineDecodingError) -> Timestamp { Timestamp(milliseconds: try readInt64()) }
    mutating func readUUID() throws(EngineDecodingError) -> UUID { UUID(bytes: Array(try take(16))) }
    mutating func readTokenID() throws(EngineDecodingError) -> TokenID { TokenID(high: try readUInt64(), low: try readUInt64()) }
    mutating func readString() throws(EngineDecodingError) -> String {
        let start = offset
        let count = Int(try readUInt32())
        guard let s = String(validating: try take(count), as: UTF8.self) else { throw .invalidText(offset: start) }
        return s
    }
    mutating func readFlag() throws(EngineDecodingError) -> Bool {
        let at = offset
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        default: throw .invalidTag(offset: at)
        }
    }
    mutating func readOptionalString() throws(EngineDecodingError) -> String? { try readFlag() ? try readString() : nil }
    mutating func readOptionalTokenID() throws(EngineDecodingError) -> TokenID? { try readFlag() ? try readTokenID() : nil }
    mutating func readOptionalTimestamp() throws(EngineDecodingError) -> Timestamp? { try readFlag() ? try readTimestamp() : nil }
}
