/// Read-only verification of a data directory for operators (`authd wal verify`): every frame's
/// CRC and payload, LSN continuity and the CRC chain across segments, and every snapshot. Needs no
/// lock, so it can run beside a live server (a frame being written may then show as a torn tail).
public enum WALVerifier {
    /// Verifies `<directory>/wal/*.wal` and `<directory>/snapshots/*.snap`.
    public static func verify(directory: String, fileSystem: WALFileSystem = .posix) throws(WALError) -> VerificationReport {
        var report = VerificationReport()
        let scanner = LogScanner(walDirectory: directory + "/wal", fileSystem: fileSystem)
        var payloadProblems: [ScanProblem] = []
        let result: LogScanner.Result
        do {
            result = try scanner.scan { segment, bytes in
                for frame in segment.frames {
                    if case .failure(let f) = FrameHeader.records(in: bytes, at: frame.offset, header: frame.header) {
                        payloadProblems.append(ScanProblem(
                            kind: .corruption, segment: segment.path, offset: frame.offset,
                            length: frame.header.frameLength, reason: f.reason))
                    }
                }
            }
        } catch let error as WALError {
            throw error
        } catch {
            throw WALError.invalidArgument("unexpected error \(error)")
        }
        for s in result.segments {
            report.segments.append(.init(
                path: s.path, firstLSN: s.firstLSN, lastLSN: s.nextLSN - 1, frames: s.frames.count,
                records: s.recordCount, validEnd: s.validEnd, fileSize: s.fileSize))
        }
        report.problems = (result.problems + payloadProblems).sorted {
            ($0.segment, $0.offset) < ($1.segment, $1.offset)
        }

        let store = SnapshotStore(directory: directory, fileSystem: fileSystem)
        var newestGood: UInt64?
        for c in try store.candidates() {
            do {
                let loaded = try store.load(path: c.path)
                report.snapshots.append(.init(path: c.path, lsn: loaded.info.lsn, payloadSize: loaded.info.payloadSize, problem: nil))
                newestGood = max(newestGood ?? 0, loaded.info.lsn)
            } catch {
                report.snapshots.append(.init(path: c.path, lsn: c.lsn, payloadSize: 0, problem: error.description))
                report.otherProblems.append(error.description)
            }
        }
        if let last = result.segments.last, let newest = newestGood, newest > last.nextLSN - 1 {
            report.otherProblems.append(
                "snapshot at LSN \(newest) is ahead of the end of the log (LSN \(last.nextLSN - 1)): new records would reuse its LSNs")
        }
        if let first = result.segments.first, first.firstLSN > 1 {
            let covered = newestGood ?? 0
            if covered + 1 < first.firstLSN {
                report.otherProblems.append(
                    "the log starts at LSN \(first.firstLSN) but no valid snapshot covers LSN \(covered + 1)...\(first.firstLSN - 1)")
            }
        }
        return report
    }
}
