import Glibc

/// Opening-time recovery: scan the log, refuse mid-log corruption, cut a torn tail of the last
/// segment (copying the cut bytes to `<segment>.broken`).
enum Recovery {
    struct Outcome {
        var report: RecoveryReport
        /// The segment to continue writing, nil when there is none.
        var lastSegment: ScannedSegment?
        /// Where a new first segment starts when there is none.
        var nextLSN: UInt64
    }

    static func run(walDirectory: String, fileSystem: WALFileSystem) throws(WALError) -> Outcome {
        let scanner = LogScanner(walDirectory: walDirectory, fileSystem: fileSystem)
        var report = RecoveryReport()
        var nextLSN: UInt64 = 1
        while true {
            let result = try scanner.scan()
            if let bad = result.problems.first(where: { $0.kind == .corruption }) {
                throw WALError.corruption(segment: bad.segment, offset: bad.offset, reason: bad.reason)
            }
            report.notes = result.problems.filter { $0.kind == .abandonedTail }.map(\.description)
            if let torn = result.problems.first(where: { $0.kind == .tornTail }), var last = result.segments.last {
                let copy = try copyBroken(segment: torn.segment, offset: torn.offset, length: torn.length, fileSystem: fileSystem)
                if last.header == nil {
                    // Even the segment header is incomplete: the file holds nothing; remove it.
                    do {
                        try fileSystem.unlink(torn.segment)
                        try fileSystem.syncDirectory(walDirectory)
                    } catch {
                        throw WALError.io(operation: "unlink", path: torn.segment, errno: error.code)
                    }
                    report.cuts.append(.init(segment: torn.segment, offset: 0, bytes: torn.length, copyPath: copy,
                                             reason: torn.reason, lastKeptLSN: last.firstLSN - 1))
                    nextLSN = last.firstLSN
                    continue  // the previous segment is now the last one: scan again
                }
                try truncate(path: torn.segment, to: torn.offset, fileSystem: fileSystem)
                report.cuts.append(.init(segment: torn.segment, offset: torn.offset, bytes: torn.length, copyPath: copy,
                                         reason: torn.reason, lastKeptLSN: last.nextLSN - 1))
                last.fileSize = torn.offset
                var segments = result.segments
                segments[segments.count - 1] = last
                return finish(report: report, segments: segments, nextLSN: nextLSN)
            }
            return finish(report: report, segments: result.segments, nextLSN: nextLSN)
        }
    }

    private static func finish(report: RecoveryReport, segments: [ScannedSegment], nextLSN: UInt64) -> Outcome {
        var report = report
        report.segments = segments.count
        report.frames = segments.reduce(0) { $0 + $1.frames.count }
        report.records = segments.reduce(0) { $0 + $1.recordCount }
        if let first = segments.first, let last = segments.last, last.nextLSN > first.firstLSN {
            report.firstLSN = first.firstLSN
            report.lastLSN = last.nextLSN - 1
        }
        return Outcome(report: report, lastSegment: segments.last, nextLSN: segments.last?.nextLSN ?? nextLSN)
    }

    /// Copies `length` bytes at `offset` of `segment` to a new `<segment>.broken` (or `.broken.N`).
    /// Returns the copy's path, nil when there was nothing non-zero to copy.
    static func copyBroken(segment: String, offset: Int, length: Int, fileSystem: WALFileSystem) throws(WALError) -> String? {
        guard length > 0 else { return nil }
        let bytes: [UInt8]
        do {
            let fd = try fileSystem.open(segment, O_RDONLY, 0)
            defer { fileSystem.close(fd) }
            bytes = try fileSystem.read(fd, length, Int64(offset))
        } catch {
            throw WALError.io(operation: "read", path: segment, errno: error.code)
        }
        var suffix = 0
        while true {
            let path = segment + ".broken" + (suffix == 0 ? "" : ".\(suffix)")
            let fd: Int32
            do { fd = try fileSystem.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600) } catch {
                if error.code == EEXIST {
                    suffix += 1
                    continue
                }
                throw WALError.io(operation: "create", path: path, errno: error.code)
            }
            defer { fileSystem.close(fd) }
            do {
                try fileSystem.write(fd, bytes, 0)
                try fileSystem.fsync(fd)
            } catch {
                throw WALError.io(operation: "write", path: path, errno: error.code)
            }
            return path
        }
    }

    /// Truncates a file and syncs it.
    static func truncate(path: String, to offset: Int, fileSystem: WALFileSystem) throws(WALError) {
        do {
            let fd = try fileSystem.open(path, O_RDWR, 0)
            defer { fileSystem.close(fd) }
            try fileSystem.truncate(fd, Int64(offset))
            try fileSystem.fdatasync(fd)
        } catch {
            throw WALError.io(operation: "truncate", path: path, errno: error.code)
        }
    }
}
