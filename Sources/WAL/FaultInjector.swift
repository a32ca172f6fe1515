import Glibc
import Locking

/// A test double for `WALFileSystem`: wraps a real one and makes chosen calls fail with a chosen
/// `errno` (ENOSPC, EIO, ...), either the Nth call of an operation or every call until cleared.
///
/// ```swift
/// let faults = FaultInjector()
/// let config = WALConfiguration(directory: dir, fileSystem: faults.fileSystem)
/// faults.failAlways(.fdatasync, errno: ENOSPC)   // disk "full" from now on
/// faults.clear(.fdatasync)                       // space freed
/// ```
public final class FaultInjector: Sendable {
    /// The operations that can be made to fail.
    public enum Operation: String, Sendable, CaseIterable {
        case open, read, write, fdatasync, fsync, truncate, rename, unlink, syncDirectory, makeDirectory
    }

    private struct Rule {
        var operation: Operation
        /// Fail when the call counter of `operation` reaches this value; nil means every call.
        var callNumber: Int?
        var code: Int32
    }

    private struct State {
        var counts: [Operation: Int] = [:]
        var rules: [Rule] = []
    }

    private let state = LockedValue(State())
    private let base: WALFileSystem

    /// Wraps `base` (default: the real POSIX file system).
    public init(wrapping base: WALFileSystem = .posix) {
        self.base = base
    }

    /// Makes the `number`-th call of `operation` (counting all calls since this injector was made,
    /// starting at 1) fail with `errno`.
    public func fail(_ operation: Operation, onCall number: Int, errno code: Int32) {
        state.withLock { $0.rules.append(Rule(operation: operation, callNumber: number, code: code)) }
    }

    /// Makes the next call of `operation` fail with `errno`.
    public func failNext(_ operation: Operation, errno code: Int32) {
        state.withLock { s in
            s.rules.append(Rule(operation: operation, callNumber: s.counts[operation, default: 0] + 1, code: code))
        }
    }

    /// Makes every call of `operation` fail with `errno` until `clear(_:)`.
    public func failAlways(_ operation: Operation, errno code: Int32) {
        state.withLock { $0.rules.append(Rule(operation: operation, callNumber: nil, code: code)) }
    }

    /// Removes every rule for `operation`.
    public func clear(_ operation: Operation) {
        state.withLock { $0.rules.removeAll { $0.operation == operation } }
    }

    /// How many times `operation` was called (failed calls included).
    public func calls(_ operation: Operation) -> Int {
        state.withLock { $0.counts[operation, default: 0] }
    }

    private func check(_ operation: Operation) throws(Errno) {
        let code: Int32? = state.withLock { s in
            let n = s.counts[operation, default: 0] + 1
            s.counts[operation] = n
            for rule in s.rules where rule.operation == operation {
                if rule.callNumber == nil || rule.callNumber == n { return rule.code }
            }
            return nil
        }
        if let code { throw Errno(code) }
    }

    /// The file system to put in `WALConfiguration.fileSystem` / `SnapshotStore`.
    public var fileSystem: WALFileSystem {
        let base = self.base
        return WALFileSystem(
            open: { (path, flags, mode) throws(Errno) -> Int32 in
                try self.check(.open)
                return try base.open(path, flags, mode)
            },
            close: base.close,
            read: { (fd, count, offset) throws(Errno) -> [UInt8] in
                try self.check(.read)
                return try base.read(fd, count, offset)
            },
            write: { (fd, bytes, offset) throws(Errno) -> Void in
                try self.check(.write)
                try base.write(fd, bytes, offset)
            },
            fdatasync: { (fd) throws(Errno) -> Void in
                try self.check(.fdatasync)
                try base.fdatasync(fd)
            },
            fsync: { (fd) throws(Errno) -> Void in
                try self.check(.fsync)
                try base.fsync(fd)
            },
            truncate: { (fd, length) throws(Errno) -> Void in
                try self.check(.truncate)
                try base.truncate(fd, length)
            },
            size: base.size,
            rename: { (from, to) throws(Errno) -> Void in
                try self.check(.rename)
                try base.rename(from, to)
            },
            unlink: { (path) throws(Errno) -> Void in
                try self.check(.unlink)
                try base.unlink(path)
            },
            syncDirectory: { (path) throws(Errno) -> Void in
                try self.check(.syncDirectory)
                try base.syncDirectory(path)
            },
            listDirectory: base.listDirectory,
            makeDirectory: { (path) throws(Errno) -> Void in
                try self.check(.makeDirectory)
                try base.makeDirectory(path)
            }
        )
    }
}
