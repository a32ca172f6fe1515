/// The 64-byte header of a snapshot file (layout in docs/wal-format.md).
struct SnapshotHeader: Equatable {
    static let size = 64
    static let magic: UInt32 = 0x5041_4E53  // "SNAP" on disk: 53 4E 41 50
    static let version: UInt16 = 1
    static let chunkHeaderSize = 16
    static let chunkFlagLZ4: UInt32 = 1

    var lsn: UInt64
    var timestamp: Int64
    var payloadLength: UInt64
    var storedLength: UInt64
    var chunkSize: UInt32
    var chunkCount: UInt32
    var payloadCRC: UInt32
    /// No record above this LSN is reflected (0 in files written before it existed: read as `lsn`).
    var highLSN: UInt64 = 0

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.u32(Self.magic)
        w.u16(Self.version)
        w.u16(0)
        w.u64(lsn)
        w.i64(timestamp)
        w.u64(payloadLength)
        w.u64(storedLength)
        w.u32(chunkSize)
        w.u32(chunkCount)
        w.u32(payloadCRC)
        w.u64(highLSN)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Result<SnapshotHeader, DecodeFailure> {
        guard bytes.count >= size else { return .failure(DecodeFailure("file shorter than the snapshot header")) }
        let r = ByteReader(bytes: bytes)
        guard r.u32(0) == magic else { return .failure(DecodeFailure("bad snapshot magic")) }
        guard r.u16(4) == version else { return .failure(DecodeFailure("unsupported snapshot version \(r.u16(4))")) }
        guard CRC32C.checksum(bytes[0..<60]) == r.u32(60) else {
            return .failure(DecodeFailure("snapshot header checksum mismatch"))
        }
        return .success(SnapshotHeader(
            lsn: r.u64(8), timestamp: r.i64(16), payloadLength: r.u64(24), storedLength: r.u64(32),
            chunkSize: r.u32(40), chunkCount: r.u32(44), payloadCRC: r.u32(48), highLSN: max(r.u64(52), r.u64(8))))
    }
}
