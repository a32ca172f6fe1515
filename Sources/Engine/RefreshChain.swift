/// What a session keeps of its refresh-token chain: the current link, and the immediate
/// parent with the time it was rotated away (for the reuse grace). No row per token.
///
/// Absent parent and time are stored as sentinels (a zero id, `Int64.min`) rather than
/// optionals: a million sessions are resident, and optionals of these would pad each one.
struct RefreshChain: Sendable, Equatable {
    /// The `jti` of the only refresh token that may rotate the session now.
    var current: TokenID
    /// `iat` (seconds) of the current pair: with `current` it re-creates the exact pair.
    var issuedAt: Int64
    private var parentID: TokenID
    private var rotatedAtMilliseconds: Int64
    /// How many rotations the chain has had.
    var generation: UInt32

    init(current: TokenID, issuedAt: Int64, generation: UInt32, parent: TokenID?, rotatedAt: Timestamp?) {
        self.current = current
        self.issuedAt = issuedAt
        self.generation = generation
        parentID = parent ?? TokenID(high: 0, low: 0)
        rotatedAtMilliseconds = rotatedAt?.milliseconds ?? .min
    }

    /// The link rotated away last.
    var parent: TokenID? { parentID == TokenID(high: 0, low: 0) ? nil : parentID }

    /// When the parent was rotated away.
    var rotatedAt: Timestamp? { rotatedAtMilliseconds == .min ? nil : Timestamp(milliseconds: rotatedAtMilliseconds) }
}
