/// What login and refresh answer: a token pair bound to a session, and who it is for.
public struct TokenGrant: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let user: UserView
    public let session: SessionView
}
