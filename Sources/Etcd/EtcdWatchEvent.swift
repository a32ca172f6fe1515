/// One change seen by a watch: a put or a delete of a key, at a revision.
public struct EtcdWatchEvent: Sendable, Hashable {
    /// What happened to the key.
    public enum Kind: Sendable, Hashable {
        case put
        case delete
    }

    /// Put or delete.
    public let kind: Kind
    /// The key after the change; for a delete, the key with an empty value and the delete's
    /// revision as `modRevision`.
    public let keyValue: EtcdKeyValue
    /// The key before the change, when the watch asked for it and the key existed.
    public let previous: EtcdKeyValue?

    public init(kind: Kind, keyValue: EtcdKeyValue, previous: EtcdKeyValue?) {
        self.kind = kind
        self.keyValue = keyValue
        self.previous = previous
    }

    /// The revision of the change (the key's mod revision in the event).
    public var revision: Int64 { keyValue.modRevision }
}
