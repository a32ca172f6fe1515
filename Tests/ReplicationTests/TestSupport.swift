@testable import Replication
@testable import WAL

/// A deterministic random number generator (SplitMix64), so every "random" test is repeatable.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }
}

/// A secret of the minimum length and a fixed pattern.
let testSecret = Array("0123456789abcdef0123456789abcdef".utf8)
let otherSecret = Array("fedcba9876543210fedcba9876543210".utf8)

func authenticator(_ secret: [UInt8] = testSecret) -> ReplicationAuthenticator {
    try! ReplicationAuthenticator(secret: secret)
}

/// 32 bytes of `value`.
func nonce(_ value: UInt8) -> [UInt8] { [UInt8](repeating: value, count: 32) }

/// Builds a chain of real WAL frames with the WAL module's own frame writer.
struct FrameChain {
    private(set) var nextLSN: UInt64
    private(set) var lastCRC: UInt32
    private var timestamp: Int64 = 1_700_000_000_000

    init(from lsn: UInt64 = 1, crc: UInt32 = 0) {
        nextLSN = lsn
        lastCRC = crc
    }

    var lastLSN: UInt64 { nextLSN - 1 }

    /// One frame of `records` (stored raw, or lz4-compressed when `compress` and smaller).
    mutating func frame(_ records: [[UInt8]], compress: Bool = false) -> [UInt8] {
        let raw = BatchPayload.encode(records)
        var flags: UInt16 = 0
        var payload = raw
        if compress, let compressed = LZ4Codec.compress(raw) {
            flags = FrameHeader.flagLZ4
            payload = compressed
        }
        let (bytes, crc) = FrameHeader.frame(
            flags: flags, payload: payload, rawLength: raw.count, firstLSN: nextLSN, recordCount: records.count,
            prevCRC: lastCRC, timestamp: timestamp)
        nextLSN += UInt64(records.count)
        lastCRC = crc
        timestamp += 1
        return bytes
    }

    /// A frame of `count` small records.
    mutating func frame(count: Int, compress: Bool = false) -> [UInt8] {
        let first = nextLSN
        return frame((0..<count).map { i in [1] + Array("record \(first + UInt64(i))".utf8) }, compress: compress)
    }
}

func history(_ pairs: (UInt64, UInt64)...) -> TermHistory {
    try! TermHistory(entries: pairs.map { TermHistory.Entry(term: $0.0, firstLSN: $0.1) })
}
