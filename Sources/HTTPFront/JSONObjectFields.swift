import Engine

/// The top-level members of a JSON object body, as the engine wants them.
///
/// Only string members keep their value; any other JSON value is remembered
/// as `.notString` so validation can say "expected a string". Nested values
/// are parsed (to reject malformed input) but not kept. When a key repeats,
/// the last one wins, as with JavaScript's `JSON.parse`.
public struct JSONObjectFields: Sendable, Equatable {
    @usableFromInline var members: [(key: String, value: FieldInput)]

    /// An empty object.
    public init() { self.members = [] }

    /// The member named `key`, or `.missing`.
    @inlinable
    public subscript(key: String) -> FieldInput {
        for member in members.reversed() where member.key == key { return member.value }
        return .missing
    }

    /// How many members the object had (repeats counted).
    public var count: Int { members.count }

    mutating func append(key: String, value: FieldInput) {
        members.append((key, value))
    }

    public static func == (lhs: JSONObjectFields, rhs: JSONObjectFields) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
