import Glibc

/// Explicit repair for operators (`authd wal repair`): cuts the log at its first damage, keeping
/// every whole frame before it. The cut bytes go to `<segment>.broken`; later segments are renamed
/// to `<segment>.broken` too (they continue a log that now ends earlier). Takes the directory lock,
/// so it refuses to run beside a live server. Records after the cut are lost from the log: restore
/// them from elsewhere if they matter.
public enum WALRepair {
    public static func repair(directory: String, fileSystem: WALFileSystem = .posix) throws(WALError) -> RepairReport {
        let lock = try DirectoryLock(directory: directory)
        defer { lock.release() }
        let walDirectory = directory + "/wal"
        let scanner = LogScanner(walDirectory: walDirectory, fileSystem: fileSystem)
        let result = try scanner.scan()
        var report = RepairReport()
        guard let problem = result.problems.first(where: { $0.kind != .abandonedTail }),
              let index = result.segments.firstIndex(where: { $0.path == problem.segment })
        else {
            report.lastLSN = result.segments.last.map { $0.nextLSN - 1 } ?? 0
            return report
        }
        report.problem = problem
        let damaged = result.segments[index]
        var later = Array(result.segments[(index + 1)...])
        if problem.offset == 0 {
            later.insert(damaged, at: 0)
            report.lastLSN = index > 0 ? result.segments[index - 1].nextLSN - 1 : 0
        } else {
            report.copyPath = try Recovery.copyBroken(
                segment: problem.segment, offset: problem.offset, length: problem.length, fileSystem: fileSystem)
            try Recovery.truncate(path: problem.segment, to: problem.offset, fileSystem: fileSystem)
            report.lastLSN = damaged.nextLSN - 1
        }
        for segment in later {
            let target = try brokenName(for: segment.path, fileSystem: fileSystem)
            do { try fileSystem.rename(segment.path, target) } catch {
                throw WALError.io(operation: "rename", path: segment.path, errno: error.code)
            }
            report.movedSegments.append(.init(from: segment.path, to: target))
        }
        do { try fileSystem.syncDirectory(walDirectory) } catch {
            throw WALError.io(operation: "fsync directory", path: walDirectory, errno: error.code)
        }
        return report
    }

    /// `<path>.broken`, or `.broken.N` if taken.
    static func brokenName(for path: String, fileSystem: WALFileSystem) throws(WALError) -> String {
        try freeName(for: path, suffix: ".broken", fileSystem: fileSystem)
    }

    /// `<path><suffix>`, or `<path><suffix>.N` if taken.
    static func freeName(for path: String, suffix: String, fileSystem: WALFileSystem) throws(WALError) -> String {
        var n = 0
        while true {
            let candidate = path + suffix + (n == 0 ? "" : ".\(n)")
            do {
                let fd = try fileSystem.open(candidate, O_RDONLY, 0)
                fileSystem.close(fd)
                n += 1
            } catch {
                if error.code == ENOENT { return candidate }
                throw WALError.io(operation: "open", path: candidate, errno: error.code)
            }
        }
    }
}
