/// The `typ` claim: which of the two token families a JWT belongs to. Each family has its own key.
public enum TokenKind: String, Sendable {
    case access
    case refresh
}

