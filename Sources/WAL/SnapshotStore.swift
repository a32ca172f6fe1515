import Glibc

/// Snapshot files in `<directory>/snapshots/`: `snapshot-<lsn, 20 digits>.snap`, each the caller's
/// payload lz4-compressed in 4 MiB chunks, every chunk and the whole payload CRC32C-checked, written
/// to a temp file, fsynced, renamed into place, directory fsynced. Safe to use while the log runs.
public struct SnapshotStore: Sendable {
    /// The data directory given to `init`.
    public let directory: String
    /// `<directory>/snapshots`
    public let snapshotDirectory: String
    public let fileSystem: WALFileSystem
    /// Uncompressed bytes per chunk.
    public static let chunkSize = 4 << 20

    /// A store over `<directory>/snapshots/` (created on first write).
    public init(directory: String, fileSystem: WALFileSystem = .posix) {
        self.directory = directory
        self.snapshotDirectory = directory + "/snapshots"
        self.fileSystem = fileSystem
    }

    static func fileName(_ lsn: UInt64) -> String { "snapshot-" + SegmentName.pad20(lsn) + ".snap" }

    static func parseName(_ name: String) -> UInt64? {
        guard name.hasPrefix("snapshot-"), name.hasSuffix(".snap") else { return nil }
        let digits = name.dropFirst(9).dropLast(5)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    /// Writes a snapshot reflecting every record with `lsn <=` the given one, and none above
    /// `highLSN` (default `lsn`). Replaces an existing snapshot of the same LSN atomically.
    @discardableResult
    public func write(lsn: UInt64, highLSN: UInt64? = nil, timestamp: Int64, payload: [UInt8]) throws(WALError) -> SnapshotInfo {
        let high = max(lsn, highLSN ?? lsn)
        let fs = fileSystem
        do { try fs.makeDirectory(snapshotDirectory) } catch {
            throw WALError.io(operation: "mkdir", path: snapshotDirectory, errno: error.code)
        }
        // The `snapshots/` entry must survive a power loss too, not only the files inside it.
        do { try fs.syncDirectory(directory) } catch {
            throw WALError.io(operation: "fsync directory", path: directory, errno: error.code)
        }
        let finalPath = snapshotDirectory + "/" + Self.fileName(lsn)
        let tempPath = finalPath + ".tmp"
        let fd: Int32
        do { fd = try fs.open(tempPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600) } catch {
            throw WALError.io(operation: "create", path: tempPath, errno: error.code)
        }
        var offset = SnapshotHeader.size
        var chunkCount: UInt32 = 0
        var payloadCRC: UInt32 = 0
        do {
            var start = 0
            while start < payload.count {
                let end = min(start + Self.chunkSize, payload.count)
                let slice = payload[start..<end]
                payloadCRC = CRC32C.extend(payloadCRC, slice)
                let compressed = LZ4Codec.compress(slice)
                let stored = compressed ?? Array(slice)
                var w = ByteWriter(capacity: SnapshotHeader.chunkHeaderSize + stored.count)
                w.u32(UInt32(slice.count))
                w.u32(UInt32(stored.count))
                w.u32(compressed == nil ? 0 : SnapshotHeader.chunkFlagLZ4)
                w.u32(CRC32C.checksum(stored))
                w.append(stored)
                try fs.write(fd, w.bytes, Int64(offset))
                offset += w.bytes.count
                chunkCount += 1
                start = end
            }
            let header = SnapshotHeader(
                lsn: lsn, timestamp: timestamp, payloadLength: UInt64(payload.count),
                storedLength: UInt64(offset - SnapshotHeader.size), chunkSize: UInt32(Self.chunkSize),
                chunkCount: chunkCount, payloadCRC: payloadCRC, highLSN: high)
            try fs.write(fd, header.encoded(), 0)
            try fs.fsync(fd)
        } catch {
            fs.close(fd)
            try? fs.unlink(tempPath)
            throw WALError.io(operation: "write", path: tempPath, errno: error.code)
        }
        fs.close(fd)
        do {
            try fs.rename(tempPath, finalPath)
        } catch {
            try? fs.unlink(tempPath)
            throw WALError.io(operation: "rename", path: tempPath, errno: error.code)
        }
        do { try fs.syncDirectory(snapshotDirectory) } catch {
            throw WALError.io(operation: "fsync directory", path: snapshotDirectory, errno: error.code)
        }
        return SnapshotInfo(path: finalPath, lsn: lsn, highLSN: high, timestamp: timestamp, payloadSize: payload.count, fileSize: offset)
    }

    /// Snapshot files by name, sorted by LSN (headers not read).
    func candidates() throws(WALError) -> [(path: String, lsn: UInt64)] {
        let names: [String]
        do { names = try fileSystem.listDirectory(snapshotDirectory) } catch {
            if error.code == ENOENT { return [] }
            throw WALError.io(operation: "list", path: snapshotDirectory, errno: error.code)
        }
        return names.compactMap { n in Self.parseName(n).map { (snapshotDirectory + "/" + n, $0) } }
            .sorted { $0.lsn < $1.lsn }
    }

    /// Snapshots whose header verifies, sorted by LSN (payloads are not checked; `load` does that).
    public func list() throws(WALError) -> [SnapshotInfo] {
        var infos: [SnapshotInfo] = []
        for c in try candidates() {
            guard let bytes = try? readFile(c.path, limit: SnapshotHeader.size),
                  case .success(let h) = SnapshotHeader.decode(bytes)
            else { continue }
            let size = (try? fileSize(c.path)) ?? 0
            infos.append(SnapshotInfo(path: c.path, lsn: h.lsn, highLSN: h.highLSN, timestamp: h.timestamp,
                                      payloadSize: Int(h.payloadLength), fileSize: size))
        }
        return infos
    }

    /// The newest snapshot that verifies; corrupt newer ones are listed in `skipped`. nil when there
    /// is no snapshot file; throws `.snapshotCorrupt` when there are some but none verifies.
    public func loadLatest() throws(WALError) -> LoadedSnapshot? {
        let all = try candidates()
        var skipped: [SkippedSnapshot] = []
        for c in all.reversed() {
            do {
                var loaded = try load(path: c.path)
                loaded.skipped = skipped
                return loaded
            } catch {
                skipped.append(SkippedSnapshot(path: c.path, reason: error.description))
            }
        }
        if let newest = skipped.first {
            throw WALError.snapshotCorrupt(path: newest.path, reason: "no snapshot verifies (\(skipped.count) tried): \(newest.reason)")
        }
        return nil
    }

    /// Loads and fully verifies one snapshot file.
    public func load(path: String) throws(WALError) -> LoadedSnapshot {
        let bytes = try readFile(path, limit: nil)
        let header: SnapshotHeader
        switch SnapshotHeader.decode(bytes) {
        case .failure(let f): throw WALError.snapshotCorrupt(path: path, reason: f.reason)
        case .success(let h): header = h
        }
        if let nameLSN = Self.parseName(String(path.split(separator: "/").last ?? "")), nameLSN != header.lsn {
            throw WALError.snapshotCorrupt(path: path, reason: "file name says LSN \(nameLSN), header says \(header.lsn)")
        }
        // `decode` checked that the file holds a header; subtracting cannot overflow, adding could.
        guard UInt64(bytes.count - SnapshotHeader.size) == header.storedLength else {
            throw WALError.snapshotCorrupt(
                path: path, reason: "file is \(bytes.count) bytes, header says \(SnapshotHeader.size) + \(header.storedLength)")
        }
        var payload: [UInt8] = []
        // No more than the chunks can expand to (the length is checked against them below).
        payload.reserveCapacity(Int(min(header.payloadLength, UInt64(bytes.count) * UInt64(LZ4Codec.maximumRatio))))
        let r = ByteReader(bytes: bytes)
        var pos = SnapshotHeader.size
        var chunks: UInt32 = 0
        while pos < bytes.count {
            guard bytes.count - pos >= SnapshotHeader.chunkHeaderSize else {
                throw WALError.snapshotCorrupt(path: path, reason: "partial chunk header at byte \(pos)")
            }
            let raw = Int(r.u32(pos)), stored = Int(r.u32(pos + 4)), flags = r.u32(pos + 8), crc = r.u32(pos + 12)
            let start = pos + SnapshotHeader.chunkHeaderSize
            guard stored <= bytes.count - start, raw <= Int(header.chunkSize) else {
                throw WALError.snapshotCorrupt(path: path, reason: "chunk at byte \(pos) has impossible lengths")
            }
            let data = bytes[start..<(start + stored)]
            guard CRC32C.checksum(data) == crc else {
                throw WALError.snapshotCorrupt(path: path, reason: "chunk checksum mismatch at byte \(pos)")
            }
            if flags & SnapshotHeader.chunkFlagLZ4 != 0 {
                guard let out = LZ4Codec.decompress(data, rawLength: raw) else {
                    throw WALError.snapshotCorrupt(path: path, reason: "chunk at byte \(pos) does not decompress")
                }
                payload.append(contentsOf: out)
            } else {
                guard raw == stored else {
                    throw WALError.snapshotCorrupt(path: path, reason: "raw chunk at byte \(pos) has inconsistent lengths")
                }
                payload.append(contentsOf: data)
            }
            chunks += 1
            pos = start + stored
        }
        guard chunks == header.chunkCount, UInt64(payload.count) == header.payloadLength else {
            throw WALError.snapshotCorrupt(path: path, reason: "chunk count or payload length does not match the header")
        }
        guard CRC32C.checksum(payload) == header.payloadCRC else {
            throw WALError.snapshotCorrupt(path: path, reason: "payload checksum mismatch")
        }
        let info = SnapshotInfo(
            path: path, lsn: header.lsn, highLSN: header.highLSN, timestamp: header.timestamp, payloadSize: payload.count,
            fileSize: bytes.count)
        return LoadedSnapshot(info: info, payload: payload, skipped: [])
    }

    /// Keeps the newest `keep` snapshots that verify (fully: header, every chunk, the payload
    /// checksum) and deletes the older ones and leftover temp files; fsyncs the directory.
    ///
    /// A snapshot that does not verify is never counted among the kept ones (else a corrupt newest
    /// file would let the last good one, and the WAL it needs, be deleted): it is moved aside to
    /// `<name>.corrupt`. One that cannot be read for another reason (an I/O error) stops the
    /// prune with that error, deleting nothing.
    @discardableResult
    public func prune(keep: Int) throws(WALError) -> SnapshotPruneReport {
        guard keep >= 1 else { throw WALError.invalidArgument("prune must keep at least one snapshot") }
        var report = SnapshotPruneReport()
        var older: [String] = []
        var corrupt: [String] = []
        for c in try candidates().reversed() {
            if report.kept.count >= keep {
                older.append(c.path)
                continue
            }
            do {
                let loaded = try load(path: c.path)
                report.kept.insert(loaded.info, at: 0)
            } catch {
                guard case .snapshotCorrupt = error else { throw error }
                corrupt.append(c.path)
            }
        }
        for path in corrupt {
            let target = try WALRepair.freeName(for: path, suffix: ".corrupt", fileSystem: fileSystem)
            do { try fileSystem.rename(path, target) } catch {
                throw WALError.io(operation: "rename", path: path, errno: error.code)
            }
            report.quarantined.append(target)
        }
        if let names = try? fileSystem.listDirectory(snapshotDirectory) {
            older += names.filter { $0.hasPrefix("snapshot-") && $0.hasSuffix(".snap.tmp") }.map { snapshotDirectory + "/" + $0 }
        }
        for path in older {
            do { try fileSystem.unlink(path) } catch {
                throw WALError.io(operation: "unlink", path: path, errno: error.code)
            }
            report.removed.append(path)
        }
        if !older.isEmpty || !corrupt.isEmpty {
            do { try fileSystem.syncDirectory(snapshotDirectory) } catch {
                throw WALError.io(operation: "fsync directory", path: snapshotDirectory, errno: error.code)
            }
        }
        return report
    }

    private func readFile(_ path: String, limit: Int?) throws(WALError) -> [UInt8] {
        do {
            let fd = try fileSystem.open(path, O_RDONLY, 0)
            defer { fileSystem.close(fd) }
            let size = Int(try fileSystem.size(fd))
            return try fileSystem.read(fd, min(size, limit ?? size), 0)
        } catch {
            throw WALError.io(operation: "read", path: path, errno: error.code)
        }
    }

    private func fileSize(_ path: String) throws(WALError) -> Int {
        do {
            let fd = try fileSystem.open(path, O_RDONLY, 0)
            defer { fileSystem.close(fd) }
            return Int(try fileSystem.size(fd))
        } catch {
            throw WALError.io(operation: "stat", path: path, errno: error.code)
        }
    }
}

extension SnapshotStore {
    /// Puts a snapshot file that arrived from elsewhere (a replication leader's) into the store:
    /// verifies it fully, renames it to its place by the LSN in its header (replacing a snapshot
    /// of the same LSN) and fsyncs both directories. `path` must be on the same file system
    /// (`<directory>/...`). Refuses a file whose header names another LSN than `expectedLSN`.
    /// Returns what was installed.
    @discardableResult
    public func install(file path: String, expectedLSN: UInt64) throws(WALError) -> SnapshotInfo {
        let loaded = try load(path: path)
        guard loaded.info.lsn == expectedLSN else {
            throw WALError.snapshotCorrupt(path: path, reason: "header says LSN \(loaded.info.lsn), expected \(expectedLSN)")
        }
        let fs = fileSystem
        do { try fs.makeDirectory(snapshotDirectory) } catch {
            throw WALError.io(operation: "mkdir", path: snapshotDirectory, errno: error.code)
        }
        do { try fs.syncDirectory(directory) } catch {
            throw WALError.io(operation: "fsync directory", path: directory, errno: error.code)
        }
        let finalPath = snapshotDirectory + "/" + Self.fileName(loaded.info.lsn)
        do { try fs.rename(path, finalPath) } catch {
            throw WALError.io(operation: "rename", path: path, errno: error.code)
        }
        do { try fs.syncDirectory(snapshotDirectory) } catch {
            throw WALError.io(operation: "fsync directory", path: snapshotDirectory, errno: error.code)
        }
        let source = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !source.isEmpty, source != snapshotDirectory {
            do { try fs.syncDirectory(source) } catch {
                throw WALError.io(operation: "fsync directory", path: source, errno: error.code)
            }
        }
        var info = loaded.info
        info.path = finalPath
        return info
    }
}
