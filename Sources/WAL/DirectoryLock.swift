import Glibc
import Synchronization

/// The exclusive `flock(LOCK_EX | LOCK_NB)` on `<dir>/LOCK` that keeps two processes (or two logs in
/// one process) from writing the same data directory.
final class DirectoryLock: Sendable {
    let path: String
    private let fd: Int32
    private let released = Atomic<Bool>(false)

    /// Takes the lock; throws `.locked` if someone holds it.
    init(directory: String) throws(WALError) {
        path = directory + "/LOCK"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw WALError.io(operation: "open", path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            Glibc.close(fd)
            if code == EWOULDBLOCK { throw WALError.locked(path: path) }
            throw WALError.io(operation: "flock", path: path, errno: code)
        }
        self.fd = fd
    }

    /// Releases the lock (closing the descriptor releases the flock).
    func release() {
        if released.exchange(true, ordering: .acquiringAndReleasing) { return }
        Glibc.close(fd)
    }
}
