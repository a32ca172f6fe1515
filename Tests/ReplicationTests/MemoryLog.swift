@testable import Replication
@testable import WAL

/// A WAL of whole frames in memory, for the end-to-end session tests: the leader writes records
/// into it (framed by the WAL module's own frame writer), a follower appends shipped frames.
/// It tracks its term history from the term records in its frames, as the apply path would.
struct MemoryLog {
    private(set) var frames: [[UInt8]] = []
    private(set) var headers: [FrameHeaderView] = []
    /// The first LSN the log holds (after pruning or a snapshot install, above 1).
    private(set) var baseLSN: UInt64
    /// The CRC the first frame chains from.
    private(set) var baseCRC: UInt32
    private(set) var terms: TermHistory
    private var clock: Int64 = 1_700_000_000_000

    init(baseLSN: UInt64 = 1, baseCRC: UInt32 = 0, terms: TermHistory = TermHistory()) {
        self.baseLSN = baseLSN
        self.baseCRC = baseCRC
        self.terms = terms
    }

    var endLSN: UInt64 { headers.last?.lastLSN ?? baseLSN - 1 }
    var lastCRC: UInt32 { headers.last?.crc ?? baseCRC }
    var position: LogPosition { LogPosition(durableLSN: endLSN, lastCRC: lastCRC, terms: terms) }

    /// Appends one frame holding `records` (as a leader's WAL writer does for one batch).
    @discardableResult
    mutating func write(_ records: [[UInt8]]) -> UInt64 {
        let raw = BatchPayload.encode(records)
        let compressed = LZ4Codec.compress(raw)
        clock += 1
        let (bytes, _) = FrameHeader.frame(
            flags: compressed == nil ? 0 : FrameHeader.flagLZ4, payload: compressed ?? raw, rawLength: raw.count,
            firstLSN: endLSN + 1, recordCount: records.count, prevCRC: lastCRC, timestamp: clock)
        try! append(bytes)
        return endLSN
    }

    /// Appends `count` application records (first byte 1, like the engine's).
    @discardableResult
    mutating func write(count: Int, tag: String = "") -> UInt64 {
        let first = endLSN + 1
        return write((0..<count).map { [1] + Array("\(tag)record \(first + UInt64($0))".utf8) })
    }

    /// Starts `term` here: a term record alone in its frame.
    mutating func startTerm(_ term: UInt64, node: String) {
        write([try! TermRecord(term: term, node: node).encoded()])
    }

    /// Appends shipped frames exactly as they are; they must continue the log.
    mutating func append(_ bytes: [UInt8]) throws {
        let parsed = try FrameHeaderView.frames(in: bytes)
        guard let first = parsed.first, first.firstLSN == endLSN + 1, first.prevCRC == lastCRC else {
            throw ReplicationProtocolError.malformedFrame(offset: 0, reason: "does not continue the log")
        }
        var offset = 0
        for header in parsed {
            let frame = Array(bytes[offset..<(offset + header.frameLength)])
            let walHeader = try FrameHeader.decodeVerified(frame, at: 0).get()
            for (i, record) in try FrameHeader.records(in: frame, at: 0, header: walHeader).get().enumerated() {
                if let term = try TermRecord(decoding: record) {
                    terms = try terms.appending(term: term.term, firstLSN: header.firstLSN + UInt64(i))
                }
            }
            frames.append(frame)
            headers.append(header)
            offset += header.frameLength
        }
    }

    /// The chain CRC where a frame ends at `lsn` (or the base), nil when no frame ends there.
    func crc(endingAt lsn: UInt64) -> UInt32? {
        if lsn == baseLSN - 1 { return baseCRC }
        return headers.first { $0.lastLSN == lsn }?.crc
    }

    /// The frames holding LSNs `from...through`.
    func frames(from: UInt64, through: UInt64) -> [[UInt8]] {
        zip(frames, headers).filter { $0.1.lastLSN >= from && $0.1.firstLSN <= through }.map(\.0)
    }

    /// Cuts the log back to `lsn` (a frame boundary); returns the cut frames (the side file).
    mutating func truncate(to lsn: UInt64) -> [[UInt8]] {
        precondition(crc(endingAt: lsn) != nil, "not a frame boundary")
        let keep = headers.count { $0.lastLSN <= lsn }
        let cut = Array(frames[keep...])
        frames.removeSubrange(keep...)
        headers.removeSubrange(keep...)
        terms = terms.truncated(to: lsn)
        return cut
    }

    /// Drops the frames entirely before `lsn` (segment pruning).
    mutating func prune(before lsn: UInt64) {
        while let first = headers.first, first.lastLSN < lsn {
            baseLSN = first.lastLSN + 1
            baseCRC = first.crc
            frames.removeFirst()
            headers.removeFirst()
        }
    }
}
