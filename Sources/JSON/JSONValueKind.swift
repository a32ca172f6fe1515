/// What kind of JSON value starts at a reader's position, told from its first byte.
public enum JSONValueKind: Sendable, Equatable {
    case object
    case array
    case string
    case number
    /// `true` or `false` (the literal itself is checked when it is read or skipped).
    case boolean
    case null
}
