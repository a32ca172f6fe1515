/// One condition of a transaction: a field of a key's current state against a constant.
///
/// A missing key has create, mod revision and version 0 and lease 0, so
/// `.createRevision(of: k, .equal, 0)` means "k does not exist"; a compare on the value of a
/// missing key is false whatever the relation.
public struct EtcdCompare: Sendable, Hashable {
    /// How the key's field must relate to the constant.
    public enum Relation: String, Sendable, Hashable {
        case equal = "EQUAL"
        case notEqual = "NOT_EQUAL"
        case greater = "GREATER"
        case less = "LESS"
    }

    /// The field compared and the constant it is compared with.
    public enum Target: Sendable, Hashable {
        case createRevision(Int64)
        case modRevision(Int64)
        case version(Int64)
        case value([UInt8])
        case lease(Int64)
    }

    /// The key whose current state is compared.
    public let key: String
    /// The relation that must hold.
    public let relation: Relation
    /// The field and the constant.
    public let target: Target

    public init(key: String, relation: Relation, target: Target) {
        self.key = key
        self.relation = relation
        self.target = target
    }

    /// The key's create revision (0: absent) against `revision`.
    public static func createRevision(of key: String, _ relation: Relation, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(key: key, relation: relation, target: .createRevision(revision))
    }

    /// The key's mod revision (0: absent) against `revision`.
    public static func modRevision(of key: String, _ relation: Relation, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(key: key, relation: relation, target: .modRevision(revision))
    }

    /// The key's version (0: absent) against `version`.
    public static func version(of key: String, _ relation: Relation, _ version: Int64) -> EtcdCompare {
        EtcdCompare(key: key, relation: relation, target: .version(version))
    }

    /// The key's value against `value` (false for an absent key).
    public static func value(of key: String, _ relation: Relation, _ value: [UInt8]) -> EtcdCompare {
        EtcdCompare(key: key, relation: relation, target: .value(value))
    }

    /// The key's lease (0: none or absent) against `lease`.
    public static func lease(of key: String, _ relation: Relation, _ lease: Int64) -> EtcdCompare {
        EtcdCompare(key: key, relation: relation, target: .lease(lease))
    }
}
