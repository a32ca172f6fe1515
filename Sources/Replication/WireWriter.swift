/// Appends little-endian integers, bounded strings and raw bytes to a growing byte array: the
/// encoding half of the replication wire format (layout in docs/replication.md).
struct WireWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { append(littleEndian: value) }

    mutating func u32(_ value: UInt32) { append(littleEndian: value) }

    mutating func u64(_ value: UInt64) { append(littleEndian: value) }

    mutating func i64(_ value: Int64) { append(littleEndian: UInt64(bitPattern: value)) }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// A `u16` byte length and the UTF-8 of `text`, which must be 1...`maximum` bytes.
    mutating func text(_ text: String, field: String, maximum: Int) throws(ReplicationProtocolError) {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= maximum else {
            throw .invalidTextLength(field: field, length: utf8.count, maximum: maximum)
        }
        u16(UInt16(utf8.count))
        append(utf8)
    }

    /// Exactly `count` bytes of `value`.
    mutating func fixed(_ value: [UInt8], field: String, count: Int) throws(ReplicationProtocolError) {
        guard value.count == count else {
            throw .invalidByteCount(field: field, count: value.count, expected: count)
        }
        append(value)
    }

    private mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
