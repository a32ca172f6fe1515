/// The WAL control record a new leader appends first, to mark where its term starts.
///
/// Control records are WAL records whose first byte is `0xFF`. The application's records never
/// start with that byte (the engine's records start with their format version, 1), so the apply
/// path can tell them apart by one byte: `TermRecord(decoding:)` returns nil for any other
/// record. Layout (little-endian):
///
/// | Offset | Size | Field |
/// |-------:|-----:|-------|
/// | 0 | 1 | `0xFF` (control record) |
/// | 1 | 1 | kind, `0x01` (term record) |
/// | 2 | 8 | term |
/// | 10 | 2 | node name length `n` (1...1024) |
/// | 12 | n | node name, UTF-8 |
///
/// A term record must be the first record of its frame (the new leader appends it on its own and
/// waits for it to be durable before it accepts writes), so a term always starts on a frame
/// boundary and a follower can be cut back to the end of a term.
public struct TermRecord: Sendable, Hashable {
    /// The first byte of every control record.
    public static let controlMarker: UInt8 = 0xFF
    /// The control record kind of a term record.
    public static let kind: UInt8 = 0x01
    /// The longest node name, in UTF-8 bytes.
    public static let maximumNodeLength = 1024

    /// The term that starts at this record.
    public let term: UInt64
    /// The node that became leader for `term` (its `NODE_NAME`).
    public let node: String

    /// Creates a term record; throws when `node` is empty or longer than `maximumNodeLength`.
    public init(term: UInt64, node: String) throws(ReplicationProtocolError) {
        let length = node.utf8.count
        guard length >= 1, length <= Self.maximumNodeLength else {
            throw .invalidTextLength(field: "node", length: length, maximum: Self.maximumNodeLength)
        }
        self.term = term
        self.node = node
    }

    /// True when `record` is a control record (first byte `0xFF`), whatever its kind.
    public static func isControlRecord(_ record: [UInt8]) -> Bool {
        record.first == controlMarker
    }

    /// Decodes a WAL record: nil when it is not a control record (an application record);
    /// throws when it is a control record that is not a well-formed term record.
    public init?(decoding record: [UInt8]) throws(ReplicationProtocolError) {
        guard Self.isControlRecord(record) else { return nil }
        guard record.count >= 2 else { throw .malformedControlRecord("no kind byte") }
        guard record[1] == Self.kind else { throw .unknownControlRecord(kind: record[1]) }
        var reader = WireReader(record, from: 2, to: record.count, context: "term record")
        do {
            let term = try reader.u64()
            let node = try reader.text(field: "node", maximum: Self.maximumNodeLength)
            try reader.expectEnd()
            self.term = term
            self.node = node
        } catch {
            throw .malformedControlRecord(error.description)
        }
    }

    /// The record's bytes, to append to the WAL.
    public func encoded() -> [UInt8] {
        var writer = WireWriter(capacity: 12 + node.utf8.count)
        writer.u8(Self.controlMarker)
        writer.u8(Self.kind)
        writer.u64(term)
        writer.u16(UInt16(node.utf8.count))
        writer.append(Array(node.utf8))
        return writer.bytes
    }
}
