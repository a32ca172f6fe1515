/// Reads records from a data directory without opening the log for writing and without the lock:
/// for `authd wal dump`, restore tools and `WriteAheadLog.replay`. Reading stops at the first
/// damage; the problems found are returned.
public struct WALReader: Sendable {
    /// The data directory (segments are in `<directory>/wal/`).
    public let directory: String
    public let fileSystem: WALFileSystem

    /// A reader over `<directory>/wal/`.
    public init(directory: String, fileSystem: WALFileSystem = .posix) {
        self.directory = directory
        self.fileSystem = fileSystem
    }

    /// One frame as found on disk (for dump / verify output).
    public struct FrameInfo: Sendable, Equatable {
        public var segment: String
        public var offset: Int
        public var firstLSN: UInt64
        public var recordCount: Int
        public var timestamp: Int64
        public var compressed: Bool
        public var storedLength: Int
        public var rawLength: Int
    }

    /// Calls `body` with each frame (and its records) holding an LSN greater than `after`, in log
    /// order, records filtered to `lsn > after`. Stops at the first damage and returns all problems
    /// the scan found (torn tail, corruption, abandoned tails).
    ///
    /// With `continuous`, the caller needs every record after `after` (replay after a snapshot):
    /// when the log's first segment starts past `after + 1` it throws `.missingRecords` instead
    /// of silently starting later.
    @discardableResult
    public func forEachFrame(after lsn: UInt64, continuous: Bool = false,
                             _ body: (FrameInfo, [WALRecord]) throws -> Void) throws -> [ScanProblem] {
        let scanner = LogScanner(walDirectory: directory + "/wal", fileSystem: fileSystem)
        var stopped = false
        var first = true
        let result = try scanner.scan { segment, bytes in
            guard !stopped else { return }
            if first {
                first = false
                if continuous, segment.firstLSN > lsn &+ 1 {
                    throw WALError.missingRecords(
                        from: lsn + 1, through: segment.firstLSN - 1,
                        reason: "the log starts at LSN \(segment.firstLSN) (\(segment.name)) and "
                            + (lsn == 0 ? "there is no snapshot" : "the snapshot covers only up to LSN \(lsn)"))
                }
            }
            for frame in segment.frames where frame.header.lastLSN > lsn {
                let h = frame.header
                switch FrameHeader.records(in: bytes, at: frame.offset, header: h) {
                case .failure(let f):
                    stopped = true
                    throw WALError.corruption(segment: segment.path, offset: frame.offset, reason: f.reason)
                case .success(let payloads):
                    var records: [WALRecord] = []
                    records.reserveCapacity(payloads.count)
                    for (i, p) in payloads.enumerated() {
                        let recordLSN = h.firstLSN + UInt64(i)
                        if recordLSN > lsn { records.append(WALRecord(lsn: recordLSN, timestamp: h.timestamp, bytes: p)) }
                    }
                    let info = FrameInfo(
                        segment: segment.path, offset: frame.offset, firstLSN: h.firstLSN,
                        recordCount: Int(h.recordCount), timestamp: h.timestamp, compressed: h.isCompressed,
                        storedLength: Int(h.storedLength), rawLength: Int(h.rawLength))
                    try body(info, records)
                }
            }
            // Damage inside this segment ends the readable log.
            if segment.header == nil { stopped = true }
        }
        return result.problems
    }

    /// Calls `body` with the log's whole frames, exactly as on disk, from the frame holding
    /// `after + 1` on (frames wholly at or below `after` are skipped), in chunks of consecutive
    /// frames of at most about `chunkBytes`; `body` returns false to stop. For shipping the
    /// backlog to a replica: only the segments from the one holding `after + 1` are read, each
    /// frame verified on its own (the receiver checks the chain). Stops at the first damage;
    /// returns the problems found.
    @discardableResult
    public func forEachWrittenFrame(after lsn: UInt64, chunkBytes: Int = 256 << 10,
                                    _ body: (WrittenFrames) throws -> Bool) throws -> [ScanProblem] {
        let scanner = LogScanner(walDirectory: directory + "/wal", fileSystem: fileSystem)
        let names = try scanner.segmentNames()
        guard !names.isEmpty else { return [] }
        var startIndex = 0
        for (index, entry) in names.enumerated() where entry.lsn <= lsn + 1 { startIndex = index }
        var problems: [ScanProblem] = []
        for index in startIndex..<names.count {
            let entry = names[index]
            let path = directory + "/wal/" + entry.name
            let bytes = try scanner.readAll(path)
            let next = index + 1 < names.count ? names[index + 1].lsn : nil
            let (segment, found) = LogScanner.scanSegment(
                bytes: bytes, name: entry.name, path: path, nameLSN: entry.lsn, previous: nil, nextSegmentFirstLSN: next)
            problems += found
            var start: Int?
            var first: UInt64 = 0
            var end = 0
            var last: (lsn: UInt64, crc: UInt32) = (0, 0)
            var stop = false
            func emit() throws {
                guard let from = start else { return }
                let chunk = WrittenFrames(bytes: Array(bytes[from..<end]), firstLSN: first, lastLSN: last.lsn, lastCRC: last.crc)
                start = nil
                if try !body(chunk) { stop = true }
            }
            for frame in segment.frames where frame.header.lastLSN > lsn {
                if start == nil {
                    start = frame.offset
                    first = frame.header.firstLSN
                }
                end = frame.offset + frame.header.frameLength
                last = (frame.header.lastLSN, frame.header.crc)
                if end - start! >= chunkBytes {
                    try emit()
                    if stop { return problems }
                }
            }
            try emit()
            if stop || found.contains(where: { $0.kind != .abandonedTail }) { return problems }
        }
        return problems
    }

    /// The first LSN of every segment file, ascending (names only; nothing is verified).
    public func segmentFirstLSNs() throws(WALError) -> [UInt64] {
        try LogScanner(walDirectory: directory + "/wal", fileSystem: fileSystem).segmentNames().map(\.lsn)
    }

    /// The chain CRC at `lsn`: the CRC of the frame that ends exactly at `lsn` (0 for LSN 0, a
    /// segment's base CRC just before its first LSN). nil when no frame boundary of this log is
    /// at `lsn` (it ends inside a frame, or outside the retained log).
    public func chainCRC(at lsn: UInt64) throws -> UInt32? {
        if lsn == 0 { return 0 }
        let scanner = LogScanner(walDirectory: directory + "/wal", fileSystem: fileSystem)
        var found: UInt32?
        _ = try scanner.scan { segment, _ in
            guard found == nil else { return }
            if let header = segment.header, header.firstLSN == lsn + 1 { found = header.baseCRC }
            if let frame = segment.frames.first(where: { $0.header.lastLSN == lsn }) { found = frame.header.crc }
        }
        return found
    }

    /// Calls `body` for each record with an LSN greater than `after`, in log order (`continuous`
    /// as in `forEachFrame`).
    @discardableResult
    public func forEachRecord(after lsn: UInt64, continuous: Bool = false,
                              _ body: (WALRecord) throws -> Void) throws -> [ScanProblem] {
        try forEachFrame(after: lsn, continuous: continuous) { _, records in
            for r in records { try body(r) }
        }
    }
}
