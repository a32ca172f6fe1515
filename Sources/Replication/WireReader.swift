/// Bounds-checked little-endian reads over a range of a byte array: the decoding half of the
/// replication wire format. Every read past the end throws `truncated(context:)`, so damaged input
/// becomes an error and never a trap.
struct WireReader {
    private let bytes: [UInt8]
    private let end: Int
    private(set) var offset: Int
    /// What is being read (`"proof message"`), for error reports.
    let context: String

    init(_ bytes: [UInt8], from start: Int, to end: Int, context: String) {
        self.bytes = bytes
        self.offset = start
        self.end = end
        self.context = context
    }

    init(_ bytes: [UInt8], context: String) {
        self.init(bytes, from: 0, to: bytes.count, context: context)
    }

    /// Bytes left to read.
    var remaining: Int { end - offset }

    mutating func u8() throws(ReplicationProtocolError) -> UInt8 {
        let at = try reserve(1)
        return bytes[at]
    }

    mutating func u16() throws(ReplicationProtocolError) -> UInt16 { try integer(UInt16.self) }

    mutating func u32() throws(ReplicationProtocolError) -> UInt32 { try integer(UInt32.self) }

    mutating func u64() throws(ReplicationProtocolError) -> UInt64 { try integer(UInt64.self) }

    mutating func i64() throws(ReplicationProtocolError) -> Int64 { Int64(bitPattern: try integer(UInt64.self)) }

    /// Exactly `count` bytes.
    mutating func bytes(_ count: Int) throws(ReplicationProtocolError) -> [UInt8] {
        let at = try reserve(count)
        return Array(bytes[at..<(at + count)])
    }

    /// Everything up to the end.
    mutating func rest() -> [UInt8] {
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// A `u16` length and that many bytes of UTF-8, 1...`maximum` bytes long.
    mutating func text(field: String, maximum: Int) throws(ReplicationProtocolError) -> String {
        let count = Int(try u16())
        guard count >= 1, count <= maximum else {
            throw .invalidTextLength(field: field, length: count, maximum: maximum)
        }
        let at = try reserve(count)
        guard let text = String(validating: bytes[at..<(at + count)], as: UTF8.self) else {
            throw .invalidText(field: field)
        }
        return text
    }

    /// Throws unless every byte was read.
    func expectEnd() throws(ReplicationProtocolError) {
        guard offset == end else { throw .trailingBytes(context: context, count: end - offset) }
    }

    private mutating func reserve(_ count: Int) throws(ReplicationProtocolError) -> Int {
        guard count >= 0, end - offset >= count else { throw .truncated(context: context) }
        defer { offset += count }
        return offset
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(ReplicationProtocolError) -> T {
        let size = MemoryLayout<T>.size
        let at = try reserve(size)
        var value: T = 0
        for i in 0..<size { value |= T(bytes[at + i]) << (8 * i) }
        return value
    }
}
