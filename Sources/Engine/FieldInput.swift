/// How the HTTP layer hands one JSON member to validation: absent, present but not a
/// string, or a string. Validation then reports every invalid field at once.
public enum FieldInput: Sendable, Equatable {
    case missing
    case notString
    case value(String)
}
