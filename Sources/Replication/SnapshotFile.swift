import Glibc
import WAL

/// The newest snapshot file of a leader, as bytes to ship, and where its frames continue.
struct SnapshotFile: Sendable {
    var lsn: UInt64
    var bytes: [UInt8]
    /// The first LSN of the first frame the follower needs after the snapshot.
    var nextFrameLSN: UInt64
    /// The chain CRC just before that frame.
    var chainCRC: UInt32

    enum Failure: Error, CustomStringConvertible {
        case noSnapshot
        case unreadable(String)
        var description: String {
            switch self {
            case .noSnapshot: "no snapshot"
            case .unreadable(let reason): reason
            }
        }
    }

    /// Reads the newest snapshot that verifies, and finds the first frame after it.
    static func read(directory: String, log: WriteAheadLog) throws -> SnapshotFile {
        let store = SnapshotStore(directory: directory)
        guard let info = try store.list().last else { throw Failure.noSnapshot }
        _ = try store.load(path: info.path)   // verify before shipping
        let fd = open(info.path, O_RDONLY)
        guard fd >= 0 else { throw Failure.unreadable("open \(info.path): errno \(errno)") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: info.fileSize)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            guard n > 0 else { throw Failure.unreadable("read \(info.path): errno \(errno)") }
            done += n
        }
        var next: (lsn: UInt64, crc: UInt32)?
        try WALReader(directory: directory).forEachWrittenFrame(after: info.lsn) { chunk in
            let view = try FrameHeaderView(bytes: chunk.bytes, at: 0)
            next = (view.firstLSN, view.prevCRC)
            return false
        }
        let position = next ?? (log.lastWrittenFrame.lsn + 1, log.lastWrittenFrame.crc)
        return SnapshotFile(lsn: info.lsn, bytes: bytes, nextFrameLSN: position.lsn, chainCRC: position.crc)
    }
}
