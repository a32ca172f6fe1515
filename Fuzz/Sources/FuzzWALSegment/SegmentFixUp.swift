@testable import WAL

/// Rewrites the checksums of a would-be WAL segment so that mutated frame headers, lz4 payloads
/// and batch framing get past the CRC checks and reach the code behind them.
enum SegmentFixUp {
    /// `bytes` with the segment header CRC and each frame's `prevCRC` and `crc` recomputed along
    /// the chain, as far as frames with the right magic follow each other.
    static func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= SegmentHeader.size else { return bytes }
        var out = bytes
        put(CRC32C.checksum(out[0..<28]), at: 28, in: &out)
        var previous = ByteReader(bytes: out).u32(24)
        var offset = SegmentHeader.size
        while out.count - offset >= FrameHeader.size {
            let r = ByteReader(bytes: out)
            guard r.u32(offset) == FrameHeader.magic else { break }
            let stored = Int(r.u32(offset + 8))
            let length = FrameHeader.size + FrameHeader.aligned(stored)
            guard length <= out.count - offset else { break }
            put(previous, at: offset + 28, in: &out)
            let payloadStart = offset + FrameHeader.size
            let crc = CRC32C.extend(CRC32C.extend(previous, out[offset..<(offset + 40)]), out[payloadStart..<(payloadStart + stored)])
            put(crc, at: offset + 40, in: &out)
            previous = crc
            offset += length
        }
        return out
    }

    private static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
