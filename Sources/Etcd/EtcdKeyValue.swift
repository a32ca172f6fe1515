/// One key as etcd stores it: its bytes, its value and its revisions.
///
/// `createRevision` is the revision of the key's latest creation; it grows across every
/// deletion and re-creation, so no two holders of a key ever share it (a term number).
/// `modRevision` is the revision of its last write, `version` the number of writes since it was
/// created, `lease` the lease it is bound to (nil when none).
public struct EtcdKeyValue: Sendable, Hashable {
    /// The key's bytes.
    public let keyBytes: [UInt8]
    /// The value's bytes (empty for a key written with an empty value, and in a DELETE event).
    public let value: [UInt8]
    /// The revision of the key's latest creation.
    public let createRevision: Int64
    /// The revision of the key's latest write.
    public let modRevision: Int64
    /// Writes since the key was created (1 after its creation).
    public let version: Int64
    /// The lease the key is bound to, nil when none.
    public let lease: Int64?

    public init(
        keyBytes: [UInt8], value: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64,
        lease: Int64?
    ) {
        self.keyBytes = keyBytes
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    /// The key as text (UTF-8; invalid sequences are replaced).
    public var key: String { String(decoding: keyBytes, as: UTF8.self) }

    /// The value as text (UTF-8; invalid sequences are replaced).
    public var valueString: String { String(decoding: value, as: UTF8.self) }
}
