import Glibc

/// Reads every segment of a WAL directory and checks frames, LSN continuity and the CRC chain.
/// Read-only; used by recovery, `WALVerifier`, `WALRepair` and `WALReader`.
struct LogScanner {
    struct Result {
        var segments: [ScannedSegment] = []
        var problems: [ScanProblem] = []
    }

    let walDirectory: String
    let fileSystem: WALFileSystem

    /// Segment names in the directory sorted by first LSN.
    func segmentNames() throws(WALError) -> [(name: String, lsn: UInt64)] {
        let names: [String]
        do {
            names = try fileSystem.listDirectory(walDirectory)
        } catch {
            if error.code == 2 { return [] }  // ENOENT: no log yet
            throw WALError.io(operation: "list", path: walDirectory, errno: error.code)
        }
        return names.compactMap { n in SegmentName.parse(n).map { (n, $0) } }.sorted { $0.lsn < $1.lsn }
    }

    func readAll(_ path: String) throws(WALError) -> [UInt8] {
        let fd: Int32
        do { fd = try fileSystem.open(path, O_RDONLY, 0) } catch {
            throw WALError.io(operation: "open", path: path, errno: error.code)
        }
        defer { fileSystem.close(fd) }
        do {
            let size = try fileSystem.size(fd)
            return try fileSystem.read(fd, Int(size), 0)
        } catch {
            throw WALError.io(operation: "read", path: path, errno: error.code)
        }
    }

    /// Scans everything; damage is reported in `problems`, only I/O errors throw.
    func scan() throws(WALError) -> Result {
        do {
            return try scan(visit: { _, _ in })
        } catch let error as WALError {
            throw error
        } catch {
            throw WALError.invalidArgument("unexpected error \(error)")
        }
    }

    /// Scans everything, handing each segment and its bytes to `visit` as soon as it is checked
    /// (segments before a damaged one are visited before the damage is known).
    func scan(visit: (ScannedSegment, [UInt8]) throws -> Void) throws -> Result {
        var result = Result()
        let names = try segmentNames()
        var previous: ScannedSegment?
        for (index, entry) in names.enumerated() {
            let path = walDirectory + "/" + entry.name
            let isLast = index == names.count - 1
            let nextFirst = isLast ? nil : names[index + 1].lsn
            let bytes = try readAll(path)
            let (segment, problems) = Self.scanSegment(
                bytes: bytes, name: entry.name, path: path, nameLSN: entry.lsn,
                previous: previous, nextSegmentFirstLSN: nextFirst)
            result.segments.append(segment)
            result.problems.append(contentsOf: problems)
            try visit(segment, bytes)
            if segment.header != nil { previous = segment }
        }
        return result
    }

    /// Scans one segment's bytes. `previous` is the last segment with a valid header (for
    /// continuity); `nextSegmentFirstLSN` is nil for the last segment.
    static func scanSegment(
        bytes: [UInt8], name: String, path: String, nameLSN: UInt64,
        previous: ScannedSegment?, nextSegmentFirstLSN: UInt64?
    ) -> (ScannedSegment, [ScanProblem]) {
        let isLast = nextSegmentFirstLSN == nil
        var problems: [ScanProblem] = []
        var segment = ScannedSegment(
            name: name, path: path, firstLSN: nameLSN, header: nil, fileSize: bytes.count,
            validEnd: 0, nextLSN: nameLSN, lastCRC: 0)

        func problem(_ kind: ScanProblem.Kind, _ offset: Int, _ reason: String) {
            let end = lastNonZero(bytes, from: offset)
            problems.append(ScanProblem(kind: kind, segment: path, offset: offset, length: max(0, end - offset), reason: reason))
        }

        let header: SegmentHeader
        switch SegmentHeader.decode(bytes) {
        case .failure(let f):
            // The header is written and synced before any frame, so a damaged header followed by
            // anything but zeros is damage, never a torn write: only a segment that holds no frame
            // bytes (shorter than a header, or zeros after it) may be cut.
            let holdsNothing = lastNonZero(bytes, from: min(bytes.count, SegmentHeader.size)) <= SegmentHeader.size
            if isLast && holdsNothing {
                problem(.tornTail, 0, f.reason)
            } else {
                problem(.corruption, 0, isLast ? f.reason + " (frame bytes follow the header)" : f.reason)
            }
            return (segment, problems)
        case .success(let h):
            header = h
        }
        segment.header = header
        segment.lastCRC = header.baseCRC
        segment.validEnd = SegmentHeader.size
        if header.firstLSN != nameLSN {
            problem(.corruption, 0, "file name says first LSN \(nameLSN), header says \(header.firstLSN)")
            return (segment, problems)
        }
        if let previous {
            if header.firstLSN != previous.nextLSN {
                problem(.corruption, 0,
                        "segment starts at LSN \(header.firstLSN) but \(previous.name) ends at LSN \(previous.nextLSN - 1)")
                return (segment, problems)
            }
            if header.baseCRC != previous.lastCRC {
                problem(.corruption, 0, "CRC chain broken: base CRC does not match the last frame of \(previous.name)")
                return (segment, problems)
            }
        }

        var pos = SegmentHeader.size
        while pos < bytes.count {
            if let nextFirst = nextSegmentFirstLSN, segment.nextLSN >= nextFirst {
                if lastNonZero(bytes, from: pos) > pos {
                    problem(.abandonedTail, pos, "bytes after LSN \(nextFirst - 1), which the next segment continues from")
                }
                break
            }
            if bytes[pos] == 0, lastNonZero(bytes, from: pos) == pos {
                break  // zero-filled (preallocated) space: the clean end of the log
            }
            let reason: String
            switch FrameHeader.decodeVerified(bytes, at: pos) {
            case .success(let frame):
                if frame.prevCRC != segment.lastCRC {
                    reason = "CRC chain broken: frame does not chain from the previous frame"
                } else if frame.firstLSN != segment.nextLSN {
                    reason = "frame starts at LSN \(frame.firstLSN), expected \(segment.nextLSN)"
                } else {
                    segment.frames.append(.init(offset: pos, header: frame))
                    pos += frame.frameLength
                    segment.validEnd = pos
                    segment.nextLSN = frame.lastLSN + 1
                    segment.lastCRC = frame.crc
                    continue
                }
            case .failure(let f):
                reason = f.reason
            }
            if isLast, !hasVerifiableFrame(bytes, from: pos, atOrAfter: segment.nextLSN) {
                problem(.tornTail, pos, reason)
            } else {
                problem(.corruption, pos, isLast ? reason + " (valid frames follow)" : reason)
            }
            break
        }
        return (segment, problems)
    }

    /// Offset just past the last non-zero byte at or after `from` (== `from` if all zero).
    static func lastNonZero(_ bytes: [UInt8], from: Int) -> Int {
        // Segments are pre-filled with zeros: skip them eight bytes at a time.
        let end = bytes.withUnsafeBytes { raw -> Int in
            var end = raw.count
            while end > from && end % 8 != 0 && raw[end - 1] == 0 { end -= 1 }
            while end - 8 >= from && raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
            while end > from && raw[end - 1] == 0 { end -= 1 }
            return end
        }
        return max(end, from)
    }

    /// True when some 8-aligned offset at or after `from` holds a frame that verifies on its own and
    /// carries LSNs at or after `lsn`: then the damage at `from` is not a torn tail.
    static func hasVerifiableFrame(_ bytes: [UInt8], from: Int, atOrAfter lsn: UInt64) -> Bool {
        let r = ByteReader(bytes: bytes)
        var q = from
        while q + FrameHeader.size <= bytes.count {
            if r.u32(q) == FrameHeader.magic, case .success(let h) = FrameHeader.decodeVerified(bytes, at: q), h.firstLSN >= lsn {
                return true
            }
            q += 8
        }
        return false
    }
}
