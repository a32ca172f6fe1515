import Glibc

/// Keeps a data directory owner-only. It holds every password hash, session and signing secret,
/// so no other local user may read it, whoever created it (a mounted volume, an older version, a
/// restore into an existing directory).
public enum DataDirectoryPermissions {
    /// The subdirectories whose files are checked besides the directory's own.
    static let subdirectories = ["wal", "snapshots"]

    /// Removes every group and other permission bit from `directory`, its `wal/` and `snapshots/`
    /// and the files directly inside them (directories end up at most 0700, files at most 0600).
    /// Returns one line per change ("<path>: 0755 -> 0700") for the operator's log. Throws
    /// `.io(operation: "chmod", ...)` when a path that others can read cannot be tightened (for
    /// example a directory owned by another user): the data must not stay readable.
    @discardableResult
    public static func enforce(directory: String) throws(WALError) -> [String] {
        var changes: [String] = []
        try tighten(directory, into: &changes)
        try tightenEntries(of: directory, into: &changes)
        for sub in subdirectories {
            let path = directory + "/" + sub
            guard try tighten(path, into: &changes) else { continue }
            try tightenEntries(of: path, into: &changes)
        }
        return changes
    }

    /// Tightens the regular files and sockets directly inside `directory`.
    private static func tightenEntries(of directory: String, into changes: inout [String]) throws(WALError) {
        guard let dir = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted() where !subdirectories.contains(name) {
            try tighten(directory + "/" + name, into: &changes)
        }
    }

    /// Tightens one path (not following symbolic links). Returns false when it does not exist.
    @discardableResult
    private static func tighten(_ path: String, into changes: inout [String]) throws(WALError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw WALError.io(operation: "stat", path: path, errno: errno)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFDIR || type == S_IFREG || type == S_IFSOCK else { return true }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return true }
        let tightened = mode & 0o700
        guard chmod(path, tightened) == 0 else {
            throw WALError.io(operation: "chmod", path: path, errno: errno)
        }
        changes.append("\(path): \(octal(mode)) -> \(octal(tightened))")
        return true
    }

    static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
