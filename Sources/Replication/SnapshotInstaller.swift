import Glibc
import WAL

/// Puts a leader's snapshot in place on a follower that was too far behind its leader's log,
/// with nothing open (before the engine starts), and remembers until the log has caught up with
/// it that the engine must not open yet.
///
/// A leader's snapshot reflects each shard up to its own LSN (captured without a global pause),
/// up to `highLSN` for the newest; the frames the leader sends after it start at or below the
/// oldest of them. Until this node's log holds every record up to `highLSN`, an engine opened on
/// it could not tell which of the next records its snapshot already reflects, so the install
/// stays *pending* (a marker file, `replication/install-pending`) until the log reaches
/// `highLSN`; the follower's start-up streams the frames first.
///
/// The steps, each safe to interrupt (a crash between two of them leaves the marker, and the
/// next start asks the leader again): write the marker; verify the file and rename it into
/// `snapshots/`; take the leader's term history; start the log over at the leader's next frame,
/// chaining from its CRC, the old segments kept as `.superseded`.
struct SnapshotInstaller {
    let directory: String

    var markerPath: String { directory + "/replication/install-pending" }

    /// Why an install could not be done.
    enum Failure: Error, CustomStringConvertible {
        case logAhead(last: UInt64, nextFrameLSN: UInt64)
        case unwritable(path: String, errno: Int32)
        case storage(WALError)

        var description: String {
            switch self {
            case .logAhead(let last, let next):
                "this node's log ends at LSN \(last), at or past the leader's next frame \(next), yet the leader no longer "
                    + "holds the point where both logs part: empty this node's data directory to copy the leader afresh"
            case .unwritable(let path, let errno): "cannot write \(path): errno \(errno)"
            case .storage(let error): "\(error)"
            }
        }
    }

    /// The LSN the log must reach before the engine may open, while an install is pending.
    func pendingTarget() -> UInt64? {
        guard access(markerPath, F_OK) == 0 else { return nil }
        let newest = (try? SnapshotStore(directory: directory).list().last)
        return newest.map { max($0.lsn, $0.highLSN) } ?? 0
    }

    /// The log reached the target: the install is complete.
    func finish() {
        unlink(markerPath)
        syncParent()
    }

    /// Installs the snapshot stored at `incoming` as the leader described it. Returns the LSN the
    /// log must reach before the engine opens (the snapshot's newest shard LSN).
    func install(_ installation: FollowerSession.SnapshotInstallation, incoming: String,
                 terms: TermStore) async throws(Failure) -> UInt64 {
        let log: WriteAheadLog
        do { log = try WriteAheadLog(configuration: WALConfiguration(directory: directory)) } catch {
            throw .storage(error)
        }
        do {
            let target = try place(installation, incoming: incoming, terms: terms, log: log)
            await log.close()
            return target
        } catch {
            await log.close()
            throw error
        }
    }

    private func place(_ installation: FollowerSession.SnapshotInstallation, incoming: String, terms: TermStore,
                       log: WriteAheadLog) throws(Failure) -> UInt64 {
        let last = log.lastAppendedLSN
        guard last < installation.nextFrameLSN else {
            throw .logAhead(last: last, nextFrameLSN: installation.nextFrameLSN)
        }
        try writeMarker(installation.lsn)
        let info: SnapshotInfo
        do {
            info = try SnapshotStore(directory: directory).install(file: incoming, expectedLSN: installation.lsn)
            try log.supersede(through: installation.nextFrameLSN - 1, chainCRC: installation.chainCRC)
        } catch {
            throw .storage(error)
        }
        do { try terms.replace(with: installation.terms) } catch {
            throw .unwritable(path: directory + "/replication/terms", errno: errno)
        }
        return max(info.lsn, info.highLSN)
    }

    private func writeMarker(_ lsn: UInt64) throws(Failure) {
        mkdir(directory + "/replication", 0o700)
        let temp = markerPath + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw .unwritable(path: temp, errno: errno) }
        let bytes = Array("snapshot \(lsn)\n".utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temp, markerPath) == 0 else {
            throw .unwritable(path: markerPath, errno: errno)
        }
        syncParent()
    }

    private func syncParent() {
        let fd = open(directory + "/replication", O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
