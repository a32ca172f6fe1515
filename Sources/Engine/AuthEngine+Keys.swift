import Foundation
import JSON

/// One line of `authd keys list`.
public struct SigningKeyListing: Sendable, Equatable {
    public var kid: String
    public var algorithm: SigningAlgorithm
    /// `next`, `active`, `retired`, `expired`; for HS256 secrets `active` or `verify-only`.
    public var state: String
    public var createdAt: Timestamp?
    public var activatesAt: Timestamp?
    public var retiredAt: Timestamp?
}

extension AuthEngine {
    /// The shard whose state holds the signing keys (`SigningKey.ownerID`'s: shard 0).
    var keyOwner: Shard { shard(forUser: SigningKey.ownerID) }

    /// The access-token algorithm the engine is configured with.
    public var accessTokenAlgorithm: SigningAlgorithm { settings.accessAlgorithm }

    /// `JWKS_MAX_AGE` in seconds: the JWKS's `max-age`, and the publish-before-sign delay.
    public var jwksMaxAgeSeconds: Int64 { configuration.jwksMaxAgeSeconds }

    /// Creates the next access-token signing key (operator's `authd keys rotate`, or the
    /// schedule): published at once, signing after `JWKS_MAX_AGE` (at once when no key signs
    /// yet), the previous key retiring then and verifying for one more access-token lifetime
    /// plus leeway. Keys past that are dropped in the same atomic group. No session ends.
    /// Returns the new key's status once it is durable and every shard holds it.
    @discardableResult
    public func rotateSigningKey() async throws(SigningKeyRotationError) -> SigningKeyStatus {
        let algorithm = settings.accessAlgorithm
        guard algorithm.isAsymmetric else { throw .hmacConfigured }
        let claimed = storage.withLock { s -> Bool in
            if s.keyRotationRunning { return false }
            s.keyRotationRunning = true
            return true
        }
        guard claimed else { throw .alreadyRunning }
        defer { storage.withLock { $0.keyRotationRunning = false } }
        let delay = configuration.jwksMaxAgeSeconds * 1000
        let outcome = await keyOwner.rotateSigningKey(publishDelay: delay) { now, activatesAt in
            SigningKey.generate(algorithm, at: now, activatesAt: activatesAt)
        }
        let (lsn, key) = try outcome.get()
        do { try await journal.waitUntilDurable(lsn) } catch { throw .storageUnavailable }
        await installSigningKeys()
        emit(.signingKeyCreated(kid: key.kid, algorithm: algorithm, activatesAt: key.activatesAt))
        return SigningKeyStatus(key: key.published, phase: key.activatesAt <= clock.now() ? .active : .next, retiredAt: nil)
    }

    /// Hands the owner shard's keys to every shard (each builds its own signing contexts) and
    /// keeps their public halves for the JWKS and `keys list`.
    func installSigningKeys() async {
        guard settings.accessAlgorithm.isAsymmetric else { return }
        let keys = await keyOwner.signingKeys()
        for shard in shards { await shard.installSigningKeys(keys) }
        storage.withLock { $0.publishedKeys = keys.map(\.published) }
    }

    /// On a leader of an EdDSA/ES256 engine: creates the first key when there is none of the
    /// configured algorithm (a new data directory, or the algorithm was changed); it signs at
    /// once. Followers never create keys (their leader's reach them as records).
    func ensureSigningKey() async throws(SigningKeyRotationError) {
        guard settings.accessAlgorithm.isAsymmetric, !(await keyOwner.isFollowing) else { return }
        let keys = await keyOwner.signingKeys()
        guard SigningKeyLifecycle.needsKey(keys, algorithm: settings.accessAlgorithm, at: clock.now()) else { return }
        try await rotateSigningKey()
    }

    /// One step of the rotation schedule: rotates when `SIGNING_KEY_ROTATION_INTERVAL` has
    /// passed since the active key began signing (and no next key waits). Returns the new key,
    /// or nil when nothing was due (or this node follows).
    @discardableResult
    public func rotateSigningKeyIfDue() async throws(SigningKeyRotationError) -> SigningKeyStatus? {
        let interval = configuration.signingKeyRotationIntervalSeconds * 1000
        guard settings.accessAlgorithm.isAsymmetric, interval > 0, !(await keyOwner.isFollowing) else { return nil }
        let keys = await keyOwner.signingKeys()
        guard SigningKeyLifecycle.rotationDue(keys, algorithm: settings.accessAlgorithm, at: clock.now(), interval: interval) else {
            return nil
        }
        return try await rotateSigningKey()
    }

    /// Checks the rotation schedule every second until `shutdown` (only with an interval set).
    func startSigningKeyRotation() {
        guard settings.accessAlgorithm.isAsymmetric, configuration.signingKeyRotationIntervalSeconds > 0 else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)   // the uptime clock: see docs/etcd.md, Tests
                guard let self, !Task.isCancelled else { return }
                do throws(SigningKeyRotationError) { try await self.rotateSigningKeyIfDue() } catch {
                    if error != .alreadyRunning { self.emit(.signingKeyRotationFailed(reason: error.description)) }
                }
            }
        }
        storage.withLock { $0.keyRotator = task }
    }

    /// The keys with their phases at this moment (public halves only).
    public func signingKeyStatuses() -> [SigningKeyStatus] {
        let keys = storage.withLock { $0.publishedKeys }
        return SigningKeyLifecycle.statuses(keys, algorithm: settings.accessAlgorithm, at: clock.now(), overlap: settings.keyOverlapMilliseconds)
    }

    /// What `authd keys list` shows: the generated keys, or for HS256 the configured secrets' kids.
    public func signingKeyListing() -> [SigningKeyListing] {
        if settings.accessAlgorithm == .hs256 {
            return [SigningKeyListing(kid: TokenKey.hmacKeyID(settings.accessKey), algorithm: .hs256, state: "active")]
                + settings.previousAccessKeys.map { SigningKeyListing(kid: TokenKey.hmacKeyID($0), algorithm: .hs256, state: "verify-only") }
        }
        return signingKeyStatuses().map { status in
            SigningKeyListing(kid: status.key.kid, algorithm: status.key.algorithm, state: status.phase.rawValue,
                              createdAt: status.key.createdAt, activatesAt: status.key.activatesAt, retiredAt: status.retiredAt)
        }
    }

    /// The JWK Set (RFC 7517) of `/.well-known/jwks.json`: the next, active and retired keys'
    /// public halves; `{"keys":[]}` for HS256 (HMAC keys are never published).
    public func jwksDocument() -> [UInt8] {
        let keys = settings.accessAlgorithm.isAsymmetric
            ? SigningKeyLifecycle.published(storage.withLock { $0.publishedKeys }, algorithm: settings.accessAlgorithm, at: clock.now(),
                                            overlap: settings.keyOverlapMilliseconds).map(\.key)
            : []
        return JSONWebKeySet.encode(keys)
    }
}

/// The JSON of a JWK Set, written by hand (no Foundation JSON).
enum JSONWebKeySet {
    static func encode(_ keys: [SigningKey]) -> [UInt8] {
        var out = Array(#"{"keys":["#.utf8)
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            func member(_ name: String, _ value: String, first: Bool = false) {
                if !first { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(name)
                out.append(UInt8(ascii: ":"))
                out.appendJSONString(value)
            }
            out.append(UInt8(ascii: "{"))
            member("kid", key.kid, first: true)
            switch key.algorithm {
            case .edDSA:
                member("kty", "OKP"); member("crv", "Ed25519")
                member("x", String(decoding: Base64URL.encode(key.publicKey), as: UTF8.self))
            case .es256:
                member("kty", "EC"); member("crv", "P-256")
                member("x", String(decoding: Base64URL.encode(key.publicKey.prefix(32)), as: UTF8.self))
                member("y", String(decoding: Base64URL.encode(key.publicKey.suffix(32)), as: UTF8.self))
            case .hs256:
                break
            }
            member("alg", key.algorithm.rawValue)
            member("use", "sig")
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
