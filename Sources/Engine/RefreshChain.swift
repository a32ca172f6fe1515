/// What a session keeps of its refresh-token chain: the current link, and the immediate
/// parent with the time it was rotated away (for the reuse grace). No row per token.
struct RefreshChain: Sendable, Equatable {
    /// The `jti` of the only refresh token that may rotate the session now.
    var current: TokenID
    /// `iat` (seconds) of the current pair: with `current` it re-creates the exact pair.
    var issuedAt: Int64
    /// How many rotations the chain has had.
    var generation: UInt32
    /// The link rotated away last, and when.
    var parent: TokenID?
    var rotatedAt: Timestamp?
}
