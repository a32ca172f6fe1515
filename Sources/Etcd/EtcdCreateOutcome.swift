/// The outcome of ``EtcdClient/createIfAbsent(_:value:lease:)``: created, or held by someone.
public enum EtcdCreateOutcome: Sendable, Hashable {
    /// The key was absent and is now ours; `revision` is its create revision (the term).
    case created(revision: Int64)
    /// The key already existed: its current holder, read in the same transaction.
    case held(by: EtcdKeyValue)
}
