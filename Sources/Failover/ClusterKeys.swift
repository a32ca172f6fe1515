/// Where a cluster's state lives in etcd: every key under `/authd/<CLUSTER_NAME>/`.
public struct ClusterKeys: Sendable, Hashable {
    /// `/authd/<name>/`
    public let prefix: String

    public init(clusterName: String) {
        prefix = "/authd/" + clusterName + "/"
    }

    /// The leader key (lease-bound; its create revision is the term).
    public var leader: String { prefix + "leader" }
    /// The sync set key (not lease-bound).
    public var syncSet: String { prefix + "sync" }
    /// The last failover, written by the leader that took over.
    public var lastFailover: String { prefix + "last-failover" }
    /// A planned switchover request (`authd cluster switchover --to`).
    public var switchover: String { prefix + "switchover" }
    /// Every member key's prefix.
    public var members: String { prefix + "members/" }
    /// One node's member key (lease-bound).
    public func member(_ node: String) -> String { members + node }
}
