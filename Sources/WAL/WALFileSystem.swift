import Glibc

/// The file-system calls the WAL and the snapshot store make, as a struct of closures: the seam for
/// fault injection. `.posix` is the real thing; `FaultInjector` wraps it to fail chosen calls.
///
/// Every throwing operation throws `Errno`; callers attach the operation and path.
public struct WALFileSystem: Sendable {
    /// `open(2)`; returns the descriptor.
    public var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) throws(Errno) -> Int32
    /// `close(2)`; errors ignored (the data was synced already, or it is a read-only descriptor).
    public var close: @Sendable (_ fd: Int32) -> Void
    /// `pread(2)` loop: up to `count` bytes at `offset` (fewer only at end of file).
    public var read: @Sendable (_ fd: Int32, _ count: Int, _ offset: Int64) throws(Errno) -> [UInt8]
    /// `pwrite(2)` loop: all of `bytes` at `offset`.
    public var write: @Sendable (_ fd: Int32, _ bytes: [UInt8], _ offset: Int64) throws(Errno) -> Void
    /// `fdatasync(2)`.
    public var fdatasync: @Sendable (_ fd: Int32) throws(Errno) -> Void
    /// `fsync(2)`.
    public var fsync: @Sendable (_ fd: Int32) throws(Errno) -> Void
    /// `ftruncate(2)`.
    public var truncate: @Sendable (_ fd: Int32, _ length: Int64) throws(Errno) -> Void
    /// File size from `fstat(2)`.
    public var size: @Sendable (_ fd: Int32) throws(Errno) -> Int64
    /// `rename(2)`.
    public var rename: @Sendable (_ from: String, _ to: String) throws(Errno) -> Void
    /// `unlink(2)`.
    public var unlink: @Sendable (_ path: String) throws(Errno) -> Void
    /// Opens a directory and `fsync`s it, so that creates, renames and unlinks in it are durable.
    public var syncDirectory: @Sendable (_ path: String) throws(Errno) -> Void
    /// Names in a directory (without "." and "..").
    public var listDirectory: @Sendable (_ path: String) throws(Errno) -> [String]
    /// `mkdir(2)` with mode 0755; an existing directory is not an error.
    public var makeDirectory: @Sendable (_ path: String) throws(Errno) -> Void

    /// Builds a file system from closures (used by `FaultInjector`).
    public init(
        open: @escaping @Sendable (String, Int32, mode_t) throws(Errno) -> Int32,
        close: @escaping @Sendable (Int32) -> Void,
        read: @escaping @Sendable (Int32, Int, Int64) throws(Errno) -> [UInt8],
        write: @escaping @Sendable (Int32, [UInt8], Int64) throws(Errno) -> Void,
        fdatasync: @escaping @Sendable (Int32) throws(Errno) -> Void,
        fsync: @escaping @Sendable (Int32) throws(Errno) -> Void,
        truncate: @escaping @Sendable (Int32, Int64) throws(Errno) -> Void,
        size: @escaping @Sendable (Int32) throws(Errno) -> Int64,
        rename: @escaping @Sendable (String, String) throws(Errno) -> Void,
        unlink: @escaping @Sendable (String) throws(Errno) -> Void,
        syncDirectory: @escaping @Sendable (String) throws(Errno) -> Void,
        listDirectory: @escaping @Sendable (String) throws(Errno) -> [String],
        makeDirectory: @escaping @Sendable (String) throws(Errno) -> Void
    ) {
        self.open = open
        self.close = close
        self.read = read
        self.write = write
        self.fdatasync = fdatasync
        self.fsync = fsync
        self.truncate = truncate
        self.size = size
        self.rename = rename
        self.unlink = unlink
        self.syncDirectory = syncDirectory
        self.listDirectory = listDirectory
        self.makeDirectory = makeDirectory
    }

    /// The real POSIX file system.
    public static let posix = WALFileSystem(
        open: { (path, flags, mode) throws(Errno) -> Int32 in
            while true {
                let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
                if fd >= 0 { return fd }
                if errno != EINTR { throw Errno(errno) }
            }
        },
        close: { fd in _ = Glibc.close(fd) },
        read: { (fd, count, offset) throws(Errno) -> [UInt8] in
            var result = [UInt8](repeating: 0, count: count)
            var done = 0
            let failure: Int32 = result.withUnsafeMutableBytes { buffer in
                while done < count {
                    let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                    if n > 0 {
                        done += n
                    } else if n == 0 {
                        return 0
                    } else if errno != EINTR {
                        return errno
                    }
                }
                return 0
            }
            if failure != 0 { throw Errno(failure) }
            if done < count { result.removeLast(count - done) }
            return result
        },
        write: { (fd, bytes, offset) throws(Errno) -> Void in
            let failure: Int32 = bytes.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
                    if n > 0 {
                        done += n
                    } else if n == 0 {
                        return EIO
                    } else if errno != EINTR {
                        return errno
                    }
                }
                return 0
            }
            if failure != 0 { throw Errno(failure) }
        },
        fdatasync: { (fd) throws(Errno) -> Void in
            if Glibc.fdatasync(fd) != 0 { throw Errno(errno) }
        },
        fsync: { (fd) throws(Errno) -> Void in
            if Glibc.fsync(fd) != 0 { throw Errno(errno) }
        },
        truncate: { (fd, length) throws(Errno) -> Void in
            if ftruncate(fd, off_t(length)) != 0 { throw Errno(errno) }
        },
        size: { (fd) throws(Errno) -> Int64 in
            var info = stat()
            if fstat(fd, &info) != 0 { throw Errno(errno) }
            return Int64(info.st_size)
        },
        rename: { (from, to) throws(Errno) -> Void in
            if Glibc.rename(from, to) != 0 { throw Errno(errno) }
        },
        unlink: { (path) throws(Errno) -> Void in
            if Glibc.unlink(path) != 0 { throw Errno(errno) }
        },
        syncDirectory: { (path) throws(Errno) -> Void in
            let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw Errno(errno) }
            defer { _ = Glibc.close(fd) }
            if Glibc.fsync(fd) != 0 { throw Errno(errno) }
        },
        listDirectory: { (path) throws(Errno) -> [String] in
            guard let dir = opendir(path) else { throw Errno(errno) }
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names
        },
        makeDirectory: { (path) throws(Errno) -> Void in
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw Errno(errno) }
        }
    )
}
