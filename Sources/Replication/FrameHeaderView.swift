import WAL

/// The 48-byte header of one WAL frame, read from shipped bytes (layout in docs/wal-format.md).
///
/// Replication ships frames exactly as they are on disk and never decompresses them; this view
/// reads just what a follower checks before appending them: the frame is well formed, verifies
/// on its own (its `crc`, extended from its `prevCRC` over header bytes 0..<40 and the stored
/// payload), continues the LSNs and chains from the previous frame's `crc`.
public struct FrameHeaderView: Sendable, Hashable {
    /// Bytes of a frame header.
    public static let size = 48
    /// `"WFRM"` as a little-endian `u32` (bytes `57 46 52 4D`).
    public static let magic: UInt32 = 0x4D52_4657
    /// The frame format version this module reads.
    public static let version: UInt16 = 1
    /// Flag bit 0: the payload is lz4-compressed. No other bit is defined.
    public static let knownFlags: UInt16 = 1

    /// Flags (bit 0: lz4).
    public let flags: UInt16
    /// Payload bytes stored after the header.
    public let storedLength: UInt32
    /// Payload bytes after decompression.
    public let rawLength: UInt32
    /// The LSN of the frame's first record.
    public let firstLSN: UInt64
    /// Records in the frame (at least 1).
    public let recordCount: UInt32
    /// The `crc` of the previous frame of the log.
    public let prevCRC: UInt32
    /// When the batch was framed, ms since the Unix epoch.
    public let timestamp: Int64
    /// CRC32C extended from `prevCRC` over header bytes 0..<40 and the stored payload.
    public let crc: UInt32

    /// The LSN of the frame's last record.
    public var lastLSN: UInt64 { firstLSN + UInt64(recordCount) - 1 }

    /// Bytes of the whole frame: header, payload, zero padding to a multiple of 8.
    public var frameLength: Int { Self.size + ((Int(storedLength) + 7) & ~7) }

    /// Reads and checks the frame starting at `offset` of `bytes`: magic, version, flags,
    /// reserved field, at least one record, LSNs that do not overflow, the whole frame present,
    /// zero padding, and its CRC.
    public init(bytes: [UInt8], at offset: Int) throws(ReplicationProtocolError) {
        guard offset >= 0, bytes.count - offset >= Self.size else {
            throw .malformedFrame(offset: offset, reason: "partial frame header (\(max(0, bytes.count - offset)) bytes)")
        }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[offset + at]) | UInt16(bytes[offset + at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + at + $1]) << (8 * $1) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + at + $1]) << (8 * $1) } }

        guard u32(0) == Self.magic else { throw .malformedFrame(offset: offset, reason: "bad frame magic") }
        guard u16(4) == Self.version else {
            throw .malformedFrame(offset: offset, reason: "unsupported frame version \(u16(4))")
        }
        flags = u16(6)
        storedLength = u32(8)
        rawLength = u32(12)
        firstLSN = u64(16)
        recordCount = u32(24)
        prevCRC = u32(28)
        timestamp = Int64(bitPattern: u64(32))
        crc = u32(40)
        guard flags & ~Self.knownFlags == 0, u32(44) == 0 else {
            throw .malformedFrame(offset: offset, reason: "unknown frame flags")
        }
        guard recordCount >= 1, firstLSN >= 1, firstLSN <= UInt64.max - UInt64(recordCount) else {
            throw .malformedFrame(offset: offset, reason: "frame with no records or LSNs out of range")
        }
        guard flags & Self.knownFlags != 0 || rawLength == storedLength else {
            throw .malformedFrame(offset: offset, reason: "uncompressed payload with raw length \(rawLength) != stored \(storedLength)")
        }
        let length = Self.size + ((Int(storedLength) + 7) & ~7)
        guard bytes.count - offset >= length else {
            throw .malformedFrame(
                offset: offset, reason: "partial frame: needs \(length) bytes, \(bytes.count - offset) present")
        }
        let payloadEnd = offset + Self.size + Int(storedLength)
        guard bytes[payloadEnd..<(offset + length)].allSatisfy({ $0 == 0 }) else {
            throw .malformedFrame(offset: offset, reason: "non-zero padding after the payload")
        }
        var check = CRC32C.extend(prevCRC, bytes[offset..<(offset + 40)])
        check = CRC32C.extend(check, bytes[(offset + Self.size)..<payloadEnd])
        guard check == crc else { throw .malformedFrame(offset: offset, reason: "frame checksum mismatch") }
    }

    /// Reads every frame of `bytes`, which must be whole frames back to back, each continuing the
    /// LSNs of the one before and chaining from its `crc`. Continuity with what came before
    /// `bytes` is the caller's check (compare the first frame's `firstLSN` and `prevCRC`).
    public static func frames(in bytes: [UInt8]) throws(ReplicationProtocolError) -> [FrameHeaderView] {
        var headers: [FrameHeaderView] = []
        var offset = 0
        while offset < bytes.count {
            let header = try FrameHeaderView(bytes: bytes, at: offset)
            if let previous = headers.last {
                guard header.firstLSN == previous.lastLSN + 1 else {
                    throw .malformedFrame(
                        offset: offset, reason: "frame starts at LSN \(header.firstLSN), expected \(previous.lastLSN + 1)")
                }
                guard header.prevCRC == previous.crc else {
                    throw .malformedFrame(offset: offset, reason: "frame does not chain from the previous frame's CRC")
                }
            }
            headers.append(header)
            offset += header.frameLength
        }
        return headers
    }
}
