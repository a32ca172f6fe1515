/// A failed call on the write path (which operation, which errno), before it becomes a
/// `WALError.writeFailed` for the waiters.
struct IOFailure: Error {
    var operation: String
    var code: Int32

    var walError: WALError { .writeFailed(operation: operation, errno: code) }
}
