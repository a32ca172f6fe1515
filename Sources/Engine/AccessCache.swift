import Foundation

/// What one event loop remembers of `me` answers that another loop's shard computed, so that
/// the next `GET /me` with the same access token arriving on this loop is answered here instead
/// of hopping to the owning shard and back.
///
/// An entry is the exact token bytes the shard verified, the user and session it found, the
/// millisecond the session stops being live, and the `AccessVersions` stamp of that moment. It
/// answers only a token equal byte for byte (compared in constant time), whose claims still
/// pass the time checks, while the session is still live by the clock and while the stamp is
/// current: any change of the user or their sessions (a revocation, a rotation, a replay, a
/// purge, a replicated record) and any new state or key ring bumps the stamp first, so a stale
/// entry is never used. Everything else (misses, errors) goes to the shard as before.
///
/// Not `Sendable`: one instance per event loop, used only on it (`AccessCacheSlot`).
final class AccessCache {
    struct Entry {
        let token: String
        let user: UserView
        let session: SessionView
        /// `SessionLifetime.endsAt` of the session when it was cached, milliseconds.
        let liveUntil: Int64
        let stamp: AccessVersions.Stamp
    }

    /// Most entries kept; past it an arbitrary entry makes room.
    let capacity: Int
    private var entries: [UUID: Entry] = [:]
    private(set) var hits = 0
    private(set) var misses = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// The answer for `parsed` at `now` if an entry still holds it; nil sends the caller to the shard.
    func answer(_ parsed: TokenCodec.Parsed, now: Timestamp, settings: ShardSettings, versions: AccessVersions)
        -> (user: UserView, session: SessionView)? {
        guard let entry = entries[parsed.claims.session],
              entry.liveUntil > now.milliseconds,
              // Equal bytes are equal claims: the subject is the one the shard checked.
              ConstantTime.equals(entry.token, parsed.token),
              versions.isCurrent(entry.stamp, for: parsed.claims.subject),
              settings.codec.checkClaims(parsed, expecting: .access, now: now.seconds, leeway: settings.leeway) == nil
        else {
            misses += 1
            return nil
        }
        hits += 1
        return (entry.user, entry.session)
    }

    /// Remembers what the shard answered for `token`.
    func insert(_ entry: Entry, for sessionID: UUID) {
        guard capacity > 0 else { return }
        if entries.count >= capacity, entries[sessionID] == nil {
            entries.remove(at: entries.startIndex)
        }
        entries[sessionID] = entry
    }
}
