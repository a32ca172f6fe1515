/// The switchover key's value: an operator's request (`authd cluster switchover --to`) that the
/// leader `from` hand the leadership to `to`. Bound to the requester's lease, so a request whose
/// requester went away ends by itself; while it exists only `to` may campaign.
public struct SwitchoverRecord: Sendable, Hashable, Codable {
    /// The leader asked to hand over.
    public var from: String
    /// The follower that takes over.
    public var to: String
    /// How long the leader waits, fenced, for `to` to hold every record before it gives up and
    /// confirms writes again.
    public var timeoutMilliseconds: Int64
    /// Wall-clock ms of the request.
    public var requestedAt: Int64

    public init(from: String, to: String, timeoutMilliseconds: Int64, requestedAt: Int64) {
        self.from = from
        self.to = to
        self.timeoutMilliseconds = timeoutMilliseconds
        self.requestedAt = requestedAt
    }
}
