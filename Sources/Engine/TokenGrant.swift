/// What login and refresh answer: a token pair bound to a session, and who it is for.
///
/// A class of constants rather than a struct: a grant is handed through several closures on
/// its way to the answer (the shard's outcome, the durability completion, the hop back to the
/// connection's loop), and each hand-off is then one reference count instead of one per field.
public final class TokenGrant: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let user: UserView
    public let session: SessionView

    public init(accessToken: String, refreshToken: String, user: UserView, session: SessionView) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.user = user
        self.session = session
    }
}
