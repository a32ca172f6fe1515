/// The `typ` claim: which of the two token families a JWT belongs to. Each family has its own key.
public enum TokenKind: String, Sendable {
    case access
    case refresh
}

extension TokenKind {
    /// The claim's value as written into a token (its raw value, as a constant).
    var jsonName: StaticString {
        switch self {
        case .access: "access"
        case .refresh: "refresh"
        }
    }
}
