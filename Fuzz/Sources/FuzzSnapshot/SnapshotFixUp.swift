@testable import WAL

/// Rewrites the checksums of a would-be snapshot file so that mutated lengths, flags and lz4
/// data get past the CRC checks and reach the code behind them.
enum SnapshotFixUp {
    /// `bytes` with the header CRC, every chunk CRC and the payload CRC recomputed (as far as the
    /// chunk walk gets; lengths are left as they are).
    static func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= SnapshotHeader.size else { return bytes }
        var out = bytes
        var payload: [UInt8] = []
        var pos = SnapshotHeader.size
        let r = ByteReader(bytes: bytes)
        while bytes.count - pos >= SnapshotHeader.chunkHeaderSize {
            let raw = Int(r.u32(pos)), stored = Int(r.u32(pos + 4)), flags = r.u32(pos + 8)
            let start = pos + SnapshotHeader.chunkHeaderSize
            guard stored <= bytes.count - start else { break }
            let data = bytes[start..<(start + stored)]
            put(CRC32C.checksum(data), at: pos + 12, in: &out)
            if flags & SnapshotHeader.chunkFlagLZ4 != 0 {
                if raw <= 1 << 24, let decompressed = LZ4Codec.decompress(data, rawLength: raw) { payload += decompressed }
            } else {
                payload += data
            }
            pos = start + stored
        }
        put(CRC32C.checksum(payload), at: 48, in: &out)
        put(CRC32C.checksum(out[0..<60]), at: 60, in: &out)
        return out
    }

    private static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
