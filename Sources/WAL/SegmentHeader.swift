/// The 32-byte header at offset 0 of every segment file (layout in docs/wal-format.md).
struct SegmentHeader: Equatable {
    static let size = 32
    static let magic: UInt32 = 0x4753_4C57  // "WLSG" little-endian on disk: 57 4C 53 47
    static let version: UInt16 = 1

    /// LSN of the first record in this segment (also its file name).
    var firstLSN: UInt64
    /// Creation time, ms since the epoch.
    var createdAt: Int64
    /// The CRC the first frame of this segment chains from: the last frame CRC of the previous
    /// segment (0 for the very first segment of a log).
    var baseCRC: UInt32

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.u32(Self.magic)
        w.u16(Self.version)
        w.u16(0)
        w.u64(firstLSN)
        w.i64(createdAt)
        w.u32(baseCRC)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// Parses and verifies a header; returns a reason on failure.
    static func decode(_ bytes: [UInt8]) -> Result<SegmentHeader, DecodeFailure> {
        guard bytes.count >= size else { return .failure(DecodeFailure("segment header is short (\(bytes.count) bytes)")) }
        let r = ByteReader(bytes: bytes)
        guard r.u32(0) == magic else { return .failure(DecodeFailure("bad segment magic")) }
        guard r.u16(4) == version else { return .failure(DecodeFailure("unsupported segment version \(r.u16(4))")) }
        guard CRC32C.checksum(bytes[0..<28]) == r.u32(28) else {
            return .failure(DecodeFailure("segment header checksum mismatch"))
        }
        return .success(SegmentHeader(firstLSN: r.u64(8), createdAt: r.i64(16), baseCRC: r.u32(24)))
    }
}

/// Why a header or frame did not decode.
struct DecodeFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
