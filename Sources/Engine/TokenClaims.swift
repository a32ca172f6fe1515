import Foundation

/// The registered claims authd issues and enforces on every token.
struct TokenClaims: Equatable {
    var subject: UUID          // sub: the user
    var session: UUID          // sid: the session the token is bound to
    var tokenID: TokenID       // jti: the chain link (refresh), or an id derived from it (access; AccessTokenIDs)
    var kind: TokenKind        // typ
    var issuedAt: Int64        // iat, seconds
    var expiresAt: Int64       // exp, seconds
}
