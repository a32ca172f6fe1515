import Foundation
import WAL

/// One partition of the engine: owns the users routed to it, their sessions and chains,
/// and its rate-limit buckets. Every mutation is applied through `ShardState.apply` and
/// handed to the journal in the same actor turn, so log order equals apply order; the
/// caller is answered only after its records are durable.
actor Shard {
    private(set) var state: ShardState
    private var limiter: RateLimiterTable
    private var lockouts: BoundedTable<LoginLockout>
    /// Accounts locked by `lockouts` since start (for `authd_login_lockouts_total`).
    private var lockoutsStarted = 0
    /// Access-token keys (rebuilt by `installSigningKeys` when the engine's keys change).
    private var accessKeys: TokenKeyRing
    private let refreshKeys: TokenKeyRing
    /// Derives each access token's own `jti` from its refresh token's.
    private let accessIDs: AccessTokenIDs
    private let settings: ShardSettings
    private let clock: any EngineClock
    private let journal: Journal
    /// LSN of the last record this shard appended (what a snapshot of it reflects).
    private(set) var lastLSN: UInt64 = 0
    /// True while the shard applies a leader's records instead of appending its own.
    private var following = false
    /// Where this shard's session sweep stands between its steps.
    private var sweep = SessionSweep()
    /// Sessions purged since start: by this shard's sweep, or by a leader's records it applied.
    private(set) var purgedSessions = 0
    /// Where this shard's new refresh-chain ids come from.
    private var tokenIDs = TokenIDSource()
    /// Where this shard runs (an event loop of the server, or a private queue).
    nonisolated let placement: ShardExecutor
    /// Bumped for every change of a user's state, read by other loops' `AccessCache`s.
    nonisolated let versions: AccessVersions

    nonisolated var unownedExecutor: UnownedSerialExecutor { placement.executor.asUnownedSerialExecutor() }

    init(settings: ShardSettings, clock: any EngineClock, journal: Journal, placement: ShardExecutor, following: Bool = false,
         state: ShardState = ShardState(), signingKeys: [SigningKey] = [], versions: AccessVersions = AccessVersions()) {
        self.state = state
        self.versions = versions
        self.settings = settings
        self.following = following
        self.clock = clock
        self.journal = journal
        self.placement = placement
        accessKeys = settings.accessKeyRing(signingKeys)
        refreshKeys = TokenKeyRing(secret: settings.refreshKey, previous: settings.previousRefreshKeys)
        accessIDs = AccessTokenIDs(accessSecret: settings.accessKey)
        limiter = RateLimiterTable(maximumBuckets: settings.limiterEntries)
        lockouts = BoundedTable(limit: settings.limiterEntries)
    }

    // MARK: Recovery

    /// Replaces the state (snapshot load) before the shard serves requests.
    func load(_ state: ShardState, lsn: UInt64) {
        self.state = state
        lastLSN = lsn
        versions.bumpAll()
    }

    /// Applies a record read back from the WAL.
    func replay(_ record: EngineRecord, lsn: UInt64) throws(ShardState.ApplyError) {
        try state.apply(record)
        changed(record)
        lastLSN = lsn
    }

    /// The state and the LSN it reflects. Copy-on-write keeps this O(1).
    func capture() -> (ShardState, UInt64) { (state, lastLSN) }

    /// The state and the LSN it reflects for a snapshot. On a leader: the log's last LSN read
    /// inside this turn (every record of this shard up to it is applied, because this shard
    /// appends only inside its own turns). On a follower: the end of the last replicated batch it
    /// applied (the log may already hold frames not applied yet).
    func captureForSnapshot(log: WriteAheadLog) -> (ShardState, UInt64) {
        (state, following ? lastLSN : log.lastAppendedLSN)
    }

    /// Applies this shard's records of a contiguous range of a leader's log, in log order (a
    /// follower); afterwards the shard reflects every record of its users up to `through`.
    ///
    /// Records at or below the LSN this shard already reflects (a snapshot taken with shard parts
    /// at different LSNs, or a frame that starts before it) are skipped, as recovery skips them.
    func applyReplicated(_ records: [(EngineRecord, UInt64)], through: UInt64) throws(ShardState.ApplyError) {
        following = true
        for (record, lsn) in records where lsn > lastLSN {
            try state.apply(record)
            changed(record)
            if case .sessionsPurged(_, let ids, _) = record { purgedSessions += ids.count }
        }
        lastLSN = max(lastLSN, through)
    }

    /// Enters follower mode (a node that starts following, or a leader that steps down): from
    /// now on this shard appends nothing of its own, and its sweep does not run.
    func beginFollowing() { following = true }

    /// Ends follower mode (promotion): from now on this shard appends its own records.
    func stopFollowing() { following = false }

    var isFollowing: Bool { following }

    // MARK: Signing keys

    /// The signing keys this shard's state holds (the owner's; empty on other shards).
    func signingKeys() -> [SigningKey] { state.signingKeys }

    /// Rebuilds the access-token key ring from the engine's keys (a no-op for HS256).
    func installSigningKeys(_ keys: [SigningKey]) {
        guard settings.accessAlgorithm.isAsymmetric else { return }
        accessKeys = settings.accessKeyRing(keys)
        versions.bumpAll()
    }

    /// The kids of the access-token keys this shard verifies with (tests).
    func accessKeyIDs() -> [String] { accessKeys.kids }

    /// A rotation on the owner shard: plans it from this shard's keys and appends its records
    /// (one atomic group). `generate` makes the new key for its activation time. Returns the
    /// LSN to wait for and the new key, or why nothing was written.
    func rotateSigningKey(publishDelay: Int64, generate: (Timestamp, Timestamp) -> SigningKey)
        -> Result<(lsn: UInt64, key: SigningKey), SigningKeyRotationError> {
        guard !following else { return .failure(.following) }
        let now = clock.now()
        switch SigningKeyLifecycle.plan(state.signingKeys, algorithm: settings.accessAlgorithm, at: now, publishDelay: publishDelay,
                                        overlap: settings.keyOverlapMilliseconds) {
        case .pending(let kid, let activatesAt):
            return .failure(.pending(kid: kid, activatesAt: activatesAt))
        case .rotate(let drop, let activatesAt):
            let key = generate(now, activatesAt)
            let lsn = applyAndAppend(SigningKeyLifecycle.records(dropping: drop, creating: key, at: now))
            return .success((lsn, key))
        }
    }
    // MARK: Session sweep

    /// One bounded step of this shard's session sweep (`SessionSweep`): purges the ended
    /// sessions it finds past the retention through one atomic group of `sessionsPurged`
    /// records. Returns the LSN to wait for, the sessions purged, and whether the pass is over;
    /// nil on a following shard, which never sweeps (its leader's purges reach it as records).
    func sweepStep(budget: Int) -> (lsn: UInt64, purged: Int, finished: Bool)? {
        guard !following else {
            sweep = SessionSweep()
            return nil
        }
        let step = sweep.step(over: state, lifetime: settings.lifetime, now: clock.now(), budget: budget)
        guard !step.records.isEmpty else { return (0, 0, step.finished) }
        let lsn = applyAndAppend(step.records)
        purgedSessions += step.purged
        return (lsn, step.purged, step.finished)
    }

    // MARK: Mutations

    /// Applies and appends a client's mutation; returns the LSN to wait for. Refuses with
    /// `.storageUnavailable` before touching the state while the WAL cannot write (a full disk, an
    /// I/O error it is retrying): the request is answered 503 at once instead of waiting, queued
    /// behind the failed batches, until the space comes back.
    private func commit(_ records: [EngineRecord]) throws(AuthError) -> UInt64 {
        guard journal.isWritable else { throw .storageUnavailable }
        return applyAndAppend(records)
    }

    /// Applies and appends whatever the WAL's state (key rotation and the sweep, which wait for
    /// durability and handle its failure themselves); returns the LSN to wait for.
    private func applyAndAppend(_ records: [EngineRecord]) -> UInt64 {
        for record in records {
            do { try state.apply(record) } catch { preconditionFailure("record built from current state must apply: \(error)") }
            changed(record)
        }
        let lsn = journal.append(records)
        if lsn > 0 { lastLSN = lsn }
        return lsn
    }

    func emailExists(_ email: String) -> Bool { state.user(byEmail: email) != nil }

    func register(name: String, email: String, passwordHash: String, route: UInt16) async throws(AuthError) -> UserView {
        guard state.user(byEmail: email) == nil else { throw .userAlreadyExists }
        let id = ShardRoute.newUserID(route: route)
        let lsn = try commit([.userRegistered(userID: id, name: name, email: email, passwordHash: passwordHash, at: clock.now())])
        try await journal.waitUntilDurable(lsn)
        return state.user(id)!.view
    }

    /// The user id and PHC hash for a login attempt, or nil for an unknown email.
    func credentials(email: String) -> (UUID, String)? {
        state.user(byEmail: email).map { ($0.id, $0.passwordHash) }
    }

    /// The first half of a login, in one turn: the account's lockout decides (reserving one
    /// password check when it lets the attempt through, `.rateLimited` when it does not),
    /// then the credentials are read. Known and unknown emails take the same path.
    func beginLogin(email: String, lockoutKey: LimiterKey) throws(AuthError) -> (UUID, String)? {
        if let policy = settings.loginLockout {
            let now = clock.now().milliseconds
            let decision = lockouts.update(lockoutKey, now: now, make: LoginLockout.init) { $0.begin(now: now, policy: policy) }
            if case .refuse(let seconds) = decision { throw .rateLimited(retryAfterSeconds: seconds) }
        }
        return credentials(email: email)
    }

    /// Settles the password check `beginLogin` reserved.
    func endLogin(lockoutKey: LimiterKey, outcome: LoginLockout.Outcome) {
        guard let policy = settings.loginLockout else { return }
        let now = clock.now().milliseconds
        let locked = lockouts.update(lockoutKey, now: now, make: LoginLockout.init) { $0.end(outcome, now: now, policy: policy) }
        if locked { lockoutsStarted += 1 }
    }

    /// Opens a session for a verified login, revoking the oldest active ones past the cap.
    /// `lockoutKey` names the reservation `beginLogin` made: it is given back in this turn.
    func openSession(userID: UUID, client: ClientInfo, rehashed: String?, lockoutKey: LimiterKey) async throws(AuthError) -> TokenGrant {
        endLogin(lockoutKey: lockoutKey, outcome: .passwordMatched)
        guard let user = state.user(userID) else { throw .invalidCredentials }
        let now = clock.now()
        try requireSigningKey(at: now)
        var records: [EngineRecord] = []
        if let rehashed { records.append(.passwordRehashed(userID: userID, passwordHash: rehashed)) }
        let active = user.sessionIDs.filter { id in state.session(id).map { settings.lifetime.isLive($0, at: now) } ?? false }
        if active.count >= settings.maxSessionsPerUser {
            for id in active.prefix(active.count - settings.maxSessionsPerUser + 1) {
                records.append(.sessionRevoked(userID: userID, sessionID: id, at: now, reason: .sessionLimit))
            }
        }
        let sessionID = UUID()
        records.append(.sessionOpened(userID: userID, sessionID: sessionID, at: now, userAgent: client.userAgent,
                                      ipAddress: client.ipAddress, tokenID: tokenIDs.next(), issuedAt: now.seconds))
        let lsn = try commit(records)
        try await journal.waitUntilDurable(lsn)
        return grant(userID: userID, sessionID: sessionID, now: now)
    }

    /// Whether an access token can be signed now: false only before the first key reaches a
    /// shard of an EdDSA/ES256 engine (a follower that has not received its leader's key yet).
    private func requireSigningKey(at now: Timestamp) throws(AuthError) {
        guard accessKeys.signingKey(at: now.milliseconds) != nil else { throw .storageUnavailable }
    }

    func refresh(_ parsed: TokenCodec.Parsed, client: ClientInfo) async throws(AuthError) -> TokenGrant {
        let (lsn, outcome) = try beginRefresh(parsed, client: client)
        try await journal.waitUntilDurable(lsn)
        return try outcome.get()
    }

    /// The synchronous part of a refresh: decide, apply and append. Returns the LSN that
    /// must be durable before the outcome may be told to the client.
    func beginRefresh(_ parsed: TokenCodec.Parsed, client: ClientInfo) throws(AuthError) -> (lsn: UInt64, outcome: Result<TokenGrant, AuthError>) {
        let now = clock.now()
        switch settings.codec.verify(parsed, expecting: .refresh, keys: refreshKeys, now: now.seconds, leeway: settings.leeway) {
        case nil: break
        case .expired: throw .refreshTokenExpired
        default: throw .invalidRefreshToken
        }
        let claims = parsed.claims
        guard let session = state.session(claims.session), session.userID == claims.subject else { throw .invalidRefreshToken }
        try requireSigningKey(at: now)
        switch RefreshRotation.decide(chain: session.chain, status: settings.lifetime.status(of: session, at: now), presented: claims.tokenID,
                                      now: now, reuseIntervalMilliseconds: settings.reuseIntervalMilliseconds) {
        case .rotate:
            let lsn = try commit([.sessionRotated(userID: session.userID, sessionID: session.id, parent: claims.tokenID, child: tokenIDs.next(),
                                              issuedAt: now.seconds, at: now, ipAddress: client.ipAddress)])
            return (lsn, .success(grant(userID: session.userID, sessionID: session.id, now: now)))
        case .reissueCurrent:
            // The rotation this token caused may still be in flight: answer only once it is durable.
            return (lastLSN, .success(grant(userID: session.userID, sessionID: session.id, now: now)))
        case .compromise:
            let lsn = try commit([.sessionCompromised(userID: session.userID, sessionID: session.id, at: now, replayed: claims.tokenID)])
            return (lsn, .failure(.refreshTokenReused))
        case .refuse(let error):
            throw error
        }
    }

    /// Verifies an access token and the live state of its session (ACTIVE and not past its
    /// refresh token's lifetime: an ended session's access tokens stop working too).
    private func authenticate(_ parsed: TokenCodec.Parsed, now: Timestamp) throws(AuthError) -> SessionState {
        guard settings.codec.verify(parsed, expecting: .access, keys: accessKeys, now: now.seconds, leeway: settings.leeway) == nil,
              let session = state.session(parsed.claims.session), session.userID == parsed.claims.subject
        else { throw .invalidToken }
        guard settings.lifetime.isLive(session, at: now) else { throw .sessionNotActive }
        return session
    }

    func me(_ parsed: TokenCodec.Parsed) throws(AuthError) -> (user: UserView, session: SessionView) {
        let (user, session) = try authenticatedUser(parsed)
        return (user.view, session.view(current: session.id, status: .active))
    }

    /// `me` as an `AccessCache` entry: the answer, until when it holds, and the versions it
    /// was computed at.
    func meEntry(_ parsed: TokenCodec.Parsed) throws(AuthError) -> AccessCache.Entry {
        let (user, session) = try authenticatedUser(parsed)
        return AccessCache.Entry(token: parsed.token, user: user.view, session: session.view(current: session.id, status: .active),
                                 liveUntil: settings.lifetime.endsAt(session), stamp: versions.current(session.userID))
    }

    /// The token's live session and its user.
    private func authenticatedUser(_ parsed: TokenCodec.Parsed) throws(AuthError) -> (UserState, SessionState) {
        let session = try authenticate(parsed, now: clock.now())
        guard let user = state.user(session.userID) else { throw .invalidToken }
        return (user, session)
    }

    /// Tells other loops' caches that what they hold about this record's user may be stale.
    private func changed(_ record: EngineRecord) {
        if record.isSigningKeyRecord { versions.bumpAll() } else { versions.bump(record.userID) }
    }

    /// The caller's sessions, at most 100: the active ones first, then the ended ones still
    /// retained (EXPIRED, REVOKED, COMPROMISED), each group newest first; the current one flagged.
    func listSessions(_ parsed: TokenCodec.Parsed) throws(AuthError) -> [SessionView] {
        let now = clock.now()
        let current = try authenticate(parsed, now: now)
        guard let user = state.user(current.userID) else { throw .invalidToken }
        let limit = 100
        var active: [SessionView] = []
        var ended: [SessionView] = []
        for id in user.sessionIDs.reversed() {
            guard let session = state.session(id) else { continue }
            let status = settings.lifetime.status(of: session, at: now)
            if status == .active {
                active.append(session.view(current: current.id, status: status))
                if active.count == limit { break }
            } else if ended.count < limit {
                ended.append(session.view(current: current.id, status: status))
            }
        }
        return active + ended.prefix(limit - active.count)
    }

    func revokeSession(_ parsed: TokenCodec.Parsed, sessionID: UUID) async throws(AuthError) {
        let now = clock.now()
        let current = try authenticate(parsed, now: now)
        guard let target = state.session(sessionID), target.userID == current.userID else { throw .sessionNotFound }
        // An ended session (revoked, compromised, expired) stays as it ended.
        guard settings.lifetime.isLive(target, at: now) else { return }
        let lsn = try commit([.sessionRevoked(userID: target.userID, sessionID: target.id, at: now, reason: .userRevoked)])
        try await journal.waitUntilDurable(lsn)
    }

    /// Revokes every active session of the caller, the current one included; returns how many.
    func revokeAllSessions(_ parsed: TokenCodec.Parsed) async throws(AuthError) -> Int {
        let now = clock.now()
        let current = try authenticate(parsed, now: now)
        guard let user = state.user(current.userID) else { throw .invalidToken }
        let records: [EngineRecord] = user.sessionIDs.compactMap { id in
            guard let session = state.session(id), settings.lifetime.isLive(session, at: now) else { return nil }
            return .sessionRevoked(userID: user.id, sessionID: id, at: now, reason: .userRevokedAll)
        }
        guard !records.isEmpty else { return 0 }
        let lsn = try commit(records)
        try await journal.waitUntilDurable(lsn)
        return records.count
    }

    /// Logout with the refresh token: the current link (or, within the grace, its parent) revokes
    /// the session; an older link is replay, exactly as for refresh.
    func revokeCurrentSession(_ parsed: TokenCodec.Parsed) async throws(AuthError) {
        let now = clock.now()
        switch settings.codec.verify(parsed, expecting: .refresh, keys: refreshKeys, now: now.seconds, leeway: settings.leeway) {
        case nil: break
        case .expired: throw .refreshTokenExpired
        default: throw .invalidRefreshToken
        }
        guard let session = state.session(parsed.claims.session), session.userID == parsed.claims.subject else { throw .invalidRefreshToken }
        switch RefreshRotation.decide(chain: session.chain, status: settings.lifetime.status(of: session, at: now),
                                      presented: parsed.claims.tokenID, now: now, reuseIntervalMilliseconds: settings.reuseIntervalMilliseconds) {
        case .rotate, .reissueCurrent:
            let lsn = try commit([.sessionRevoked(userID: session.userID, sessionID: session.id, at: now, reason: .userLogout)])
            try await journal.waitUntilDurable(lsn)
        case .compromise:
            let lsn = try commit([.sessionCompromised(userID: session.userID, sessionID: session.id, at: now, replayed: parsed.claims.tokenID)])
            try await journal.waitUntilDurable(lsn)
            throw .refreshTokenReused
        case .refuse(let error):
            throw error
        }
    }

    func consume(_ key: LimiterKey, capacity: Int, windowMilliseconds: Int) -> RateLimitDecision {
        limiter.consume(key, now: clock.now().milliseconds, capacity: capacity, windowMilliseconds: windowMilliseconds)
    }

    /// Entries held in the limiter tables, how many were evicted while they mattered, and how
    /// many accounts the lockout locked since start.
    func limiterCounts() -> (buckets: Int, lockouts: Int, evicted: Int, locked: Int) {
        (limiter.count, lockouts.count, limiter.evictedCount + lockouts.evictedCount, lockoutsStarted)
    }

    // MARK: Tokens

    /// The current pair of a session. Deterministic from the chain, so the reuse grace can
    /// hand out exactly the tokens a concurrent tab already received. The refresh token
    /// carries the chain's link as `jti`; the access token its own id, derived from that link.
    private func grant(userID: UUID, sessionID: UUID, now: Timestamp) -> TokenGrant {
        let user = state.user(userID)!
        let session = state.session(sessionID)!
        let chain = session.chain
        let refresh = TokenClaims(subject: userID, session: sessionID, tokenID: chain.current, kind: .refresh,
                                  issuedAt: chain.issuedAt, expiresAt: chain.issuedAt + settings.refreshTTL)
        var access = refresh
        access.tokenID = accessIDs.id(for: chain.current)
        access.kind = .access
        access.expiresAt = chain.issuedAt + settings.accessTTL
        // Callers check `requireSigningKey` first; the HS256 rings always have a signing key.
        return TokenGrant(accessToken: settings.codec.encode(access, key: accessKeys.signingKey(at: now.milliseconds)!),
                          refreshToken: settings.codec.encode(refresh, key: refreshKeys.signingKey(at: now.milliseconds)!),
                          user: user.view, session: session.view(current: sessionID, status: settings.lifetime.status(of: session, at: now)))
    }

    /// Users and sessions by status (EXPIRED included), and the sessions purged since start.
    func counts() -> (SessionCounts, purged: Int) { (state.counts(settings.lifetime, at: clock.now()), purgedSessions) }
}
