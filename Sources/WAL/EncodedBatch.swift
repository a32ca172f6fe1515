/// A batch of records encoded and (maybe) compressed, ready to be framed. Kept by the writer until
/// it is synced, so that a failed write or sync can be redone on a new segment.
///
/// A batch is either records this log frames itself, or whole frames received from another log
/// (a replication leader), written verbatim so both logs hold the same bytes and CRC chain.
struct EncodedBatch {
    var firstLSN: UInt64
    var recordCount: Int
    var flags: UInt16
    var stored: [UInt8]
    var rawLength: Int
    var timestamp: Int64
    /// Whole frames to write as they are, and the CRC of the last one (nil: frame `stored`).
    var verbatim: (bytes: [UInt8], lastCRC: UInt32)?

    var lastLSN: UInt64 { firstLSN + UInt64(recordCount) - 1 }
    var frameLength: Int { verbatim?.bytes.count ?? FrameHeader.size + FrameHeader.aligned(stored.count) }

    /// Frames received from another log; `frames` holds whole, verified, chained frames.
    init(frames: [UInt8], firstLSN: UInt64, lastLSN: UInt64, lastCRC: UInt32, rawLength: Int, timestamp: Int64) {
        self.firstLSN = firstLSN
        self.recordCount = Int(lastLSN - firstLSN + 1)
        self.flags = 0
        self.stored = []
        self.rawLength = rawLength
        self.timestamp = timestamp
        self.verbatim = (frames, lastCRC)
    }

    /// Received frames batches joined into one write (nil when there is none).
    init?(merging batches: [EncodedBatch]) {
        guard let first = batches.first, let last = batches.last else { return nil }
        if batches.count == 1 {
            self = first
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(batches.reduce(0) { $0 + $1.frameLength })
        for b in batches { bytes += b.verbatim?.bytes ?? [] }
        self.init(frames: bytes, firstLSN: first.firstLSN, lastLSN: last.lastLSN, lastCRC: last.verbatim?.lastCRC ?? 0,
                  rawLength: batches.reduce(0) { $0 + $1.rawLength }, timestamp: last.timestamp)
    }

    /// Length-prefixes the records and lz4-compresses them; keeps them raw when lz4 does not shrink.
    init(firstLSN: UInt64, records: [[UInt8]], timestamp: Int64) {
        let raw = BatchPayload.encode(records)
        self.firstLSN = firstLSN
        self.recordCount = records.count
        self.rawLength = raw.count
        self.timestamp = timestamp
        self.verbatim = nil
        if let compressed = LZ4Codec.compress(raw) {
            flags = FrameHeader.flagLZ4
            stored = compressed
        } else {
            flags = 0
            stored = raw
        }
    }

    func frame(prevCRC: UInt32) -> (bytes: [UInt8], crc: UInt32) {
        if let verbatim { return (verbatim.bytes, verbatim.lastCRC) }
        return FrameHeader.frame(
            flags: flags, payload: stored, rawLength: rawLength, firstLSN: firstLSN,
            recordCount: recordCount, prevCRC: prevCRC, timestamp: timestamp)
    }
}
