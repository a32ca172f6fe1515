import Glibc

/// Cuts a log back to an earlier LSN whose frames another log shares (a replication follower
/// that holds frames its new leader never had): the frames after the point are kept beside the
/// log as `<segment>.diverged` (the cut part of the segment holding the point) and later segments
/// are renamed `<segment>.diverged`; snapshots that reflect anything after the point are moved
/// aside as `<snapshot>.diverged`. Takes the directory lock, so it runs while no log is open.
public enum WALRewind {
    /// What a rewind did.
    public struct Report: Sendable, Equatable {
        /// The LSN the log now ends at.
        public var lastLSN: UInt64 = 0
        /// Files written or renamed to keep what was cut (`.diverged`).
        public var keptAside: [String] = []
        /// Snapshots moved aside because they reflect records after the point.
        public var snapshotsMoved: [String] = []
        /// Records cut off (LSNs after the point that the log held).
        public var recordsCut: UInt64 = 0
    }

    /// Rewinds `directory`'s log so that it ends exactly at `lsn`, whose frame must have chain CRC
    /// `expectedCRC` (proof that both logs agree up to there). Throws `.invalidArgument` when no
    /// frame of this log ends at `lsn` with that CRC, or when `lsn` is before the log's first
    /// retained record (then only a snapshot from the other log can bring this node back).
    @discardableResult
    public static func rewind(directory: String, to lsn: UInt64, expectedCRC: UInt32,
                              fileSystem: WALFileSystem = .posix) throws(WALError) -> Report {
        let lock = try DirectoryLock(directory: directory)
        defer { lock.release() }
        let walDirectory = directory + "/wal"
        let result = try LogScanner(walDirectory: walDirectory, fileSystem: fileSystem).scan()
        if let bad = result.problems.first(where: { $0.kind == .corruption }) {
            throw WALError.corruption(segment: bad.segment, offset: bad.offset, reason: bad.reason)
        }
        var report = Report()
        let end = result.segments.last.map { $0.nextLSN - 1 } ?? 0
        report.lastLSN = lsn
        guard lsn < end else {
            guard lsn == end else { throw WALError.invalidArgument("the log ends at LSN \(end), before \(lsn)") }
            return report
        }
        report.recordsCut = end - lsn
        // Where the log must end: after the frame that ends at `lsn`, or before a segment that
        // starts at `lsn + 1`.
        var cutIndex: Int?
        var cutOffset = 0
        for (index, segment) in result.segments.enumerated() {
            if segment.firstLSN == lsn + 1, let header = segment.header {
                guard header.baseCRC == expectedCRC else { throw mismatch(lsn) }
                cutIndex = index
                cutOffset = 0
                break
            }
            if let frame = segment.frames.first(where: { $0.header.lastLSN == lsn }) {
                guard frame.header.crc == expectedCRC else { throw mismatch(lsn) }
                cutIndex = index
                cutOffset = frame.offset + frame.header.frameLength
                break
            }
        }
        guard let index = cutIndex else {
            if let first = result.segments.first, lsn < first.firstLSN {
                throw WALError.invalidArgument(
                    "LSN \(lsn) is before this log's first retained record (\(first.firstLSN)): a snapshot from the leader is needed")
            }
            throw WALError.invalidArgument("no frame of this log ends at LSN \(lsn): the logs do not share a frame boundary there")
        }
        var later = Array(result.segments[(index + 1)...])
        let segment = result.segments[index]
        if cutOffset == 0 {
            later.insert(segment, at: 0)
        } else if cutOffset < segment.validEnd {
            let length = segment.validEnd - cutOffset
            let bytes: [UInt8]
            do {
                let fd = try fileSystem.open(segment.path, O_RDONLY, 0)
                defer { fileSystem.close(fd) }
                bytes = try fileSystem.read(fd, length, Int64(cutOffset))
            } catch {
                throw WALError.io(operation: "read", path: segment.path, errno: error.code)
            }
            let copy = try WALRepair.freeName(for: segment.path, suffix: ".diverged", fileSystem: fileSystem)
            do {
                let fd = try fileSystem.open(copy, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                defer { fileSystem.close(fd) }
                try fileSystem.write(fd, bytes, 0)
                try fileSystem.fsync(fd)
            } catch {
                throw WALError.io(operation: "write", path: copy, errno: error.code)
            }
            report.keptAside.append(copy)
            try Recovery.truncate(path: segment.path, to: cutOffset, fileSystem: fileSystem)
        }
        for moved in later {
            let target = try WALRepair.freeName(for: moved.path, suffix: ".diverged", fileSystem: fileSystem)
            do { try fileSystem.rename(moved.path, target) } catch {
                throw WALError.io(operation: "rename", path: moved.path, errno: error.code)
            }
            report.keptAside.append(target)
        }
        do { try fileSystem.syncDirectory(walDirectory) } catch {
            throw WALError.io(operation: "fsync directory", path: walDirectory, errno: error.code)
        }
        let store = SnapshotStore(directory: directory, fileSystem: fileSystem)
        let snapshots = try store.list()
        for info in snapshots where info.highLSN > lsn {
            let target = try WALRepair.freeName(for: info.path, suffix: ".diverged", fileSystem: fileSystem)
            do { try fileSystem.rename(info.path, target) } catch {
                throw WALError.io(operation: "rename", path: info.path, errno: error.code)
            }
            report.snapshotsMoved.append(target)
        }
        if !report.snapshotsMoved.isEmpty {
            do { try fileSystem.syncDirectory(store.snapshotDirectory) } catch {
                throw WALError.io(operation: "fsync directory", path: store.snapshotDirectory, errno: error.code)
            }
        }
        return report
    }

    private static func mismatch(_ lsn: UInt64) -> WALError {
        .invalidArgument("the frame ending at LSN \(lsn) differs from the other log's (chain CRC mismatch): the logs are unrelated there")
    }
}
