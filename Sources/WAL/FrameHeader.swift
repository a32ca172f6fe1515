/// The 48-byte header in front of every frame's payload (layout in docs/wal-format.md).
///
/// `crc` is CRC32C over header bytes 0..<40 and the stored payload, extended from `prevCRC`, the
/// previous frame's `crc` (or the segment's `baseCRC`). Because `prevCRC` is also stored, a single
/// frame can be verified on its own, and the chain is checked by comparing `prevCRC` with the
/// previous frame.
struct FrameHeader: Equatable {
    static let size = 48
    static let magic: UInt32 = 0x4D52_4657  // "WFRM" little-endian on disk: 57 46 52 4D
    static let version: UInt16 = 1
    static let flagLZ4: UInt16 = 1

    var flags: UInt16
    var storedLength: UInt32
    var rawLength: UInt32
    var firstLSN: UInt64
    var recordCount: UInt32
    var prevCRC: UInt32
    var timestamp: Int64
    var crc: UInt32

    var isCompressed: Bool { flags & Self.flagLZ4 != 0 }
    var lastLSN: UInt64 { firstLSN + UInt64(recordCount) - 1 }
    /// Header + payload + padding to 8 bytes.
    var frameLength: Int { Self.size + Self.aligned(Int(storedLength)) }

    static func aligned(_ n: Int) -> Int { (n + 7) & ~7 }

    /// Header bytes 0..<40 (everything the CRC covers before the payload).
    func prefix() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.u32(Self.magic)
        w.u16(Self.version)
        w.u16(flags)
        w.u32(storedLength)
        w.u32(rawLength)
        w.u64(firstLSN)
        w.u32(recordCount)
        w.u32(prevCRC)
        w.i64(timestamp)
        return w.bytes
    }

    /// Builds the complete frame bytes for `payload`, computing the CRC; returns bytes and CRC.
    static func frame(
        flags: UInt16, payload: [UInt8], rawLength: Int, firstLSN: UInt64, recordCount: Int,
        prevCRC: UInt32, timestamp: Int64
    ) -> (bytes: [UInt8], crc: UInt32) {
        var header = FrameHeader(
            flags: flags, storedLength: UInt32(payload.count), rawLength: UInt32(rawLength),
            firstLSN: firstLSN, recordCount: UInt32(recordCount), prevCRC: prevCRC,
            timestamp: timestamp, crc: 0)
        let prefix = header.prefix()
        let crc = CRC32C.extend(CRC32C.extend(prevCRC, prefix), payload)
        header.crc = crc
        var w = ByteWriter(capacity: header.frameLength)
        w.append(prefix)
        w.u32(crc)
        w.u32(0)
        w.append(payload)
        w.pad(to: 8)
        return (w.bytes, crc)
    }

    /// Decodes the header at `offset` of `bytes` and verifies it on its own (magic, version, sizes,
    /// CRC against its stored `prevCRC`). Chain and LSN continuity are the caller's job.
    static func decodeVerified(_ bytes: [UInt8], at offset: Int) -> Result<FrameHeader, DecodeFailure> {
        let remaining = bytes.count - offset
        guard remaining >= size else { return .failure(DecodeFailure("partial frame header (\(remaining) bytes)")) }
        let r = ByteReader(bytes: bytes)
        guard r.u32(offset) == magic else { return .failure(DecodeFailure("bad frame magic")) }
        guard r.u16(offset + 4) == version else {
            return .failure(DecodeFailure("unsupported frame version \(r.u16(offset + 4))"))
        }
        let header = FrameHeader(
            flags: r.u16(offset + 6), storedLength: r.u32(offset + 8), rawLength: r.u32(offset + 12),
            firstLSN: r.u64(offset + 16), recordCount: r.u32(offset + 24), prevCRC: r.u32(offset + 28),
            timestamp: r.i64(offset + 32), crc: r.u32(offset + 40))
        guard header.flags & ~flagLZ4 == 0, r.u32(offset + 44) == 0 else {
            return .failure(DecodeFailure("unknown frame flags"))
        }
        guard header.recordCount > 0, header.firstLSN > 0 else {
            return .failure(DecodeFailure("frame with no records"))
        }
        guard header.firstLSN <= UInt64.max - UInt64(header.recordCount) else {
            return .failure(DecodeFailure("frame LSNs past the largest LSN"))
        }
        guard header.frameLength <= remaining else {
            return .failure(DecodeFailure("partial frame: needs \(header.frameLength) bytes, \(remaining) present"))
        }
        let payloadStart = offset + size
        var crc = CRC32C.extend(header.prevCRC, bytes[offset..<(offset + 40)])
        crc = CRC32C.extend(crc, bytes[payloadStart..<(payloadStart + Int(header.storedLength))])
        guard crc == header.crc else { return .failure(DecodeFailure("frame checksum mismatch")) }
        return .success(header)
    }

    /// Decodes the records of a verified frame at `offset`.
    static func records(in bytes: [UInt8], at offset: Int, header: FrameHeader) -> Result<[[UInt8]], DecodeFailure> {
        let start = offset + size
        let stored = bytes[start..<(start + Int(header.storedLength))]
        let raw: [UInt8]
        if header.isCompressed {
            guard let out = LZ4Codec.decompress(stored, rawLength: Int(header.rawLength)) else {
                return .failure(DecodeFailure("lz4 payload does not decompress to \(header.rawLength) bytes"))
            }
            raw = out
        } else {
            guard header.rawLength == header.storedLength else {
                return .failure(DecodeFailure("raw payload length mismatch"))
            }
            raw = Array(stored)
        }
        guard let records = BatchPayload.decode(raw, count: Int(header.recordCount)) else {
            return .failure(DecodeFailure("record framing inside the payload is inconsistent"))
        }
        return .success(records)
    }
}
