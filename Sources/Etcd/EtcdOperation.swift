/// One operation of a transaction branch: a put, a read or a delete, of one key or a prefix.
public enum EtcdOperation: Sendable, Hashable {
    /// Writes `value` at `key`, bound to `lease` when given.
    case put(key: String, value: [UInt8], lease: Int64?)
    /// Reads one key.
    case get(key: String)
    /// Reads every key that starts with `prefix`.
    case getPrefix(String)
    /// Deletes one key.
    case delete(key: String)
    /// Deletes every key that starts with `prefix`.
    case deletePrefix(String)
}
