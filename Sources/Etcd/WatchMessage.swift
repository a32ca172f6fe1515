/// One message of a `/v3/watch` stream, decoded (internal: the client turns it into events or
/// errors).
enum WatchMessage: Sendable, Hashable {
    /// etcd accepted the watch (the first message).
    case created(revision: Int64)
    /// Changes, in revision order.
    case events([EtcdWatchEvent], revision: Int64)
    /// etcd ended the watch: compacted history (`compactRevision` > 0) or another reason.
    case canceled(compactRevision: Int64, reason: String)
    /// A message with nothing for the consumer (a progress notification).
    case progress(revision: Int64)
}
