/// The sync set key's value: the followers that hold every write the leader of `term`
/// acknowledged, so that only they (or `leader` itself) may take over. Written only by the
/// leader, only while it holds the leader key; not bound to a lease, so it outlives the leader.
public struct SyncSetRecord: Sendable, Hashable, Codable {
    /// The leader that published it.
    public var leader: String
    /// Its term.
    public var term: Int64
    /// The members, sorted.
    public var members: [String]

    public init(leader: String, term: Int64, members: [String]) {
        self.leader = leader
        self.term = term
        self.members = members.sorted()
    }
}
