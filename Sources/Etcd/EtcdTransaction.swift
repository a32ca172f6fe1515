/// An etcd transaction: if every compare holds, the success operations run, else the failure
/// ones — atomically, at one revision.
///
/// This is what makes "write the sync set only while I still hold the leader key" safe: the
/// condition and the write cannot be separated by another client's write.
public struct EtcdTransaction: Sendable, Hashable {
    /// The conditions, all of which must hold (an empty list holds).
    public var compares: [EtcdCompare]
    /// Run when every compare holds.
    public var success: [EtcdOperation]
    /// Run when any compare fails.
    public var failure: [EtcdOperation]

    public init(compares: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = []) {
        self.compares = compares
        self.success = success
        self.failure = failure
    }
}
