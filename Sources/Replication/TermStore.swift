import Glibc
import Locking
import WAL

/// The node's term history and current term, kept durably in `DATA_DIR/replication/terms`
/// beside the log: segments are removed after snapshots, and a term record with them, but a
/// node must keep refusing older terms and must describe its log in the handshake. Written
/// atomically (temp file, fsync, rename, directory fsync). Thread-safe.
public final class TermStore: Sendable {
    /// `<data dir>/replication/terms`
    public let path: String
    private let state: LockedValue<(history: TermHistory, current: UInt64)>

    /// Loads the store of `dataDirectory` (an empty history at term 0 when there is none), then
    /// adds the term records of the retained log it does not hold yet (a crash between a term
    /// record becoming durable and this file being written).
    public init(dataDirectory: String) throws {
        let directory = dataDirectory + "/replication"
        path = directory + "/terms"
        var history = TermHistory()
        var current: UInt64 = 0
        if let text = Self.readText(path) {
            var entries: [TermHistory.Entry] = []
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2, fields[0] == "current", let value = UInt64(fields[1]) {
                    current = value
                } else if fields.count == 2, let term = UInt64(fields[0]), let lsn = UInt64(fields[1]) {
                    entries.append(.init(term: term, firstLSN: lsn))
                } else if !line.isEmpty {
                    throw TermStoreError.unreadable(path: path, line: String(line))
                }
            }
            if !entries.isEmpty { history = try TermHistory(entries: entries) }
        }
        // Term records of the log the file does not know yet.
        try WALReader(directory: dataDirectory).forEachRecord(after: history.entries.last?.firstLSN ?? 0) { record in
            guard record.isControl, let term = try TermRecord(decoding: record.bytes) else { return }
            if term.term > history.lastTerm { history = try history.appending(term: term.term, firstLSN: record.lsn) }
        }
        state = LockedValue((history, max(current, history.lastTerm)))
        mkdir(directory, 0o700)
        try save()
    }

    /// The log's term history.
    public var history: TermHistory { state.withLock { $0.history } }

    /// The newest term this node has seen (>= the history's last term).
    public var currentTerm: UInt64 { state.withLock { $0.current } }

    /// Records that term `term` starts at `firstLSN` of this log.
    public func record(term: UInt64, firstLSN: UInt64) throws {
        try state.withLock { s in
            guard term > s.history.lastTerm else { return }
            s.history = try s.history.appending(term: term, firstLSN: firstLSN)
            s.current = max(s.current, term)
        }
        try save()
    }

    /// Remembers a newer term seen from a leader (before taking anything of it).
    public func adopt(term: UInt64) throws {
        let changed = state.withLock { s -> Bool in
            guard term > s.current else { return false }
            s.current = term
            return true
        }
        if changed { try save() }
    }

    /// After the log was cut back to `lsn`: terms starting after it are gone from this log.
    public func truncate(to lsn: UInt64) throws {
        state.withLock { $0.history = $0.history.truncated(to: lsn) }
        try save()
    }

    /// After a snapshot from the leader replaced the log: its history below the snapshot.
    public func replace(with history: TermHistory) throws {
        state.withLock { s in
            s.history = history
            s.current = max(s.current, history.lastTerm)
        }
        try save()
    }

    private func save() throws {
        let (history, current) = state.withLock { ($0.history, $0.current) }
        var text = "current \(current)\n"
        for entry in history.entries { text += "\(entry.term) \(entry.firstLSN)\n" }
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw TermStoreError.unwritable(path: temp, errno: errno) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temp, path) == 0 else {
            throw TermStoreError.unwritable(path: path, errno: errno)
        }
        let dir = open(String(path.dropLast("/terms".count)), O_RDONLY | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why the term store could not be read or written.
public enum TermStoreError: Error, CustomStringConvertible {
    case unreadable(path: String, line: String)
    case unwritable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .unreadable(let path, let line): "\(path): cannot read line \"\(line)\""
        case .unwritable(let path, let code): "\(path): cannot write (errno \(code))"
        }
    }
}
