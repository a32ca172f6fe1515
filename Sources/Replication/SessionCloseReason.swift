/// Why a session closed its connection without sending a `refuse` of its own (when it refuses,
/// the `refuse` action carries the code and text instead).
public enum SessionCloseReason: Sendable, Hashable {
    /// The peer sent `refuse`.
    case refusedByPeer(RefusalCode, String)
    /// The peer sent nothing for the configured idle timeout.
    case timedOut
}
