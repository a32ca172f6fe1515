/// Where a signing key stands at a given time (`SigningKeyLifecycle`).
public enum SigningKeyPhase: String, Sendable {
    /// Published, not signing yet: verifiers fetch it during the publish-before-sign delay.
    case next
    /// The key that signs new access tokens (one at a time).
    case active
    /// Signs no more, still published and verifying: tokens it signed may be live.
    case retired
    /// No token it signed can be live (or it is of another algorithm than the configured one):
    /// not published; the next rotation drops it.
    case expired
}

/// A signing key's public half and phase, for the JWKS and `authd keys list`.
public struct SigningKeyStatus: Sendable, Equatable {
    /// The key without its private half.
    public var key: SigningKey
    public var phase: SigningKeyPhase
    /// When its successor activated (nil while it is next or active).
    public var retiredAt: Timestamp?
}

/// The life of a signing key, as pure functions of the keys, the configured algorithm and
/// the time: created (and published) -> next -> active -> retired -> expired -> dropped.
///
/// Only two records exist: `signingKeyCreated` (which fixes when the key activates) and
/// `signingKeyDropped`. Activation and retirement follow from the clock: the active key is
/// the latest one whose `activatesAt` has passed, and a key retires when its successor
/// activates. Every node computes the same phases from the same records, and nothing has to
/// be written at the moment a key starts or stops signing.
///
/// `overlap` is the access-token lifetime plus the leeway (milliseconds): a key retired that
/// long ago signed nothing that can still verify.
public enum SigningKeyLifecycle {
    /// Every key's phase at `now`, in activation order.
    public static func statuses(_ keys: [SigningKey], algorithm: SigningAlgorithm, at now: Timestamp, overlap: Int64) -> [SigningKeyStatus] {
        let ordered = keys.sorted { ($0.activatesAt.milliseconds, $0.createdAt.milliseconds) < ($1.activatesAt.milliseconds, $1.createdAt.milliseconds) }
        let activated = ordered.filter { $0.algorithm == algorithm && $0.activatesAt.milliseconds <= now.milliseconds }
        var out: [SigningKeyStatus] = []
        for key in ordered {
            guard key.algorithm == algorithm else {
                out.append(SigningKeyStatus(key: key.published, phase: .expired, retiredAt: nil))
                continue
            }
            guard key.activatesAt.milliseconds <= now.milliseconds else {
                out.append(SigningKeyStatus(key: key.published, phase: .next, retiredAt: nil))
                continue
            }
            let position = activated.firstIndex(where: { $0.kid == key.kid })!
            guard position + 1 < activated.count else {
                out.append(SigningKeyStatus(key: key.published, phase: .active, retiredAt: nil))
                continue
            }
            let retiredAt = activated[position + 1].activatesAt
            let phase: SigningKeyPhase = retiredAt.milliseconds + overlap <= now.milliseconds ? .expired : .retired
            out.append(SigningKeyStatus(key: key.published, phase: phase, retiredAt: retiredAt))
        }
        return out
    }

    /// The keys a JWKS lists at `now`: next, active and retired ones.
    public static func published(_ keys: [SigningKey], algorithm: SigningAlgorithm, at now: Timestamp, overlap: Int64) -> [SigningKeyStatus] {
        statuses(keys, algorithm: algorithm, at: now, overlap: overlap).filter { $0.phase != .expired }
    }

    /// What a rotation at `now` does, or why it does nothing.
    public enum Plan: Sendable, Equatable {
        /// Drop these expired keys, and create a key that activates at `activatesAt`: after
        /// `publishDelay` when a key is active (verifiers must see it first), at once when none is.
        case rotate(drop: [String], activatesAt: Timestamp)
        /// A key is already published and waiting to sign: a second one would skip it.
        case pending(kid: String, activatesAt: Timestamp)
    }

    public static func plan(_ keys: [SigningKey], algorithm: SigningAlgorithm, at now: Timestamp, publishDelay: Int64, overlap: Int64) -> Plan {
        let statuses = statuses(keys, algorithm: algorithm, at: now, overlap: overlap)
        if let next = statuses.first(where: { $0.phase == .next }) {
            return .pending(kid: next.key.kid, activatesAt: next.key.activatesAt)
        }
        let hasActive = statuses.contains { $0.phase == .active }
        return .rotate(drop: statuses.filter { $0.phase == .expired }.map(\.key.kid),
                       activatesAt: Timestamp(milliseconds: hasActive ? now.milliseconds + publishDelay : now.milliseconds))
    }

    /// The records of a rotation planned as `.rotate`, with `key` the new key.
    static func records(dropping kids: [String], creating key: SigningKey, at now: Timestamp) -> [EngineRecord] {
        kids.map { .signingKeyDropped(kid: $0, at: now) } + [.signingKeyCreated(key)]
    }

    /// Whether the leader must create a key now: no key of `algorithm` signs or waits to.
    public static func needsKey(_ keys: [SigningKey], algorithm: SigningAlgorithm, at now: Timestamp) -> Bool {
        // The latest activated key of the algorithm is always active: only having none counts.
        !keys.contains { $0.algorithm == algorithm }
    }

    /// Whether automatic rotation is due at `now`: the active key has signed for `interval`
    /// milliseconds (0: never) and no next key is waiting.
    public static func rotationDue(_ keys: [SigningKey], algorithm: SigningAlgorithm, at now: Timestamp, interval: Int64) -> Bool {
        guard interval > 0 else { return false }
        let statuses = statuses(keys, algorithm: algorithm, at: now, overlap: 0)
        guard !statuses.contains(where: { $0.phase == .next }) else { return false }
        guard let active = statuses.first(where: { $0.phase == .active }) else { return true }
        return active.key.activatesAt.milliseconds + interval <= now.milliseconds
    }
}
