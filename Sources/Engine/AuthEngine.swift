import Foundation
import Locking
import Synchronization

/// The auth core: routes each operation to the shard that owns the user, runs password
/// hashing on the hash pool, and answers only once the operation's records are durable.
///
/// The HTTP front holds no business rule; everything the API does is a method here.
public final class AuthEngine: Sendable {
    let shards: [Shard]
    let settings: ShardSettings
    let hashPool: HashPool
    let hasher: any PasswordHashing
    let journal: Journal
    let clock: any EngineClock
    let configuration: EngineConfiguration
    /// A hash of a random password with the configured cost: unknown emails are verified
    /// against it so they cost the same as a wrong password.
    private let decoyHash: String
    private let ready = Atomic<Bool>(false)
    let storage = LockedValue(StorageState())
    /// Bumped by the shards for every change, so the loops' access caches know what is stale.
    let versions: AccessVersions
    /// One `me` cache per distinct executor the shards run on (none without executors).
    let accessCaches: [AccessCacheSlot]

    /// An engine over `journal` (in memory when it has no log). Use `open` for a durable one.
    /// `signingKeys` seeds the key owner's state (an in-memory engine's first key).
    init(configuration: EngineConfiguration, clock: any EngineClock, journal: Journal, executors: [ShardExecutor]? = nil,
         hasher: (any PasswordHashing)? = nil, signingKeys: [SigningKey] = []) {
        self.configuration = configuration
        self.clock = clock
        self.journal = journal
        let settings = ShardSettings(configuration)
        self.settings = settings
        var ownerState = ShardState()
        for key in signingKeys { try! ownerState.apply(.signingKeyCreated(key)) }
        let owner = ShardRoute.shard(route: ShardRoute.route(userID: SigningKey.ownerID), count: configuration.shardCount)
        let versions = AccessVersions()
        self.versions = versions
        shards = (0..<configuration.shardCount).map { index in
            let placement = executors.flatMap { $0.isEmpty ? nil : $0[index % $0.count] } ?? .queue(label: "authd.shard.\(index)")
            return Shard(settings: settings, clock: clock, journal: journal, placement: placement, following: configuration.startsFollowing,
                         state: index == owner ? ownerState : ShardState(), signingKeys: signingKeys, versions: versions)
        }
        let distinct = (executors ?? []).prefix(configuration.shardCount)
        accessCaches = configuration.accessCacheEntries > 0 && distinct.count > 1
            ? distinct.map { AccessCacheSlot(placement: $0, capacity: configuration.accessCacheEntries) } : []
        storage.withLock { $0.publishedKeys = signingKeys.map(\.published) }
        let hasher = hasher ?? PasswordHasher(parameters: configuration.argon2)
        self.hasher = hasher
        hashPool = HashPool(threads: configuration.hashThreads, queueLimit: configuration.hashQueueLimit)
        decoyHash = hasher.hash(UUID().uuidString)
    }

    /// An engine that keeps everything in memory and persists nothing (tests and benchmarks).
    public static func inMemory(_ configuration: EngineConfiguration, clock: any EngineClock = SystemClock(),
                                executors: [ShardExecutor]? = nil) -> AuthEngine {
        inMemory(configuration, clock: clock, executors: executors, hasher: nil)
    }

    /// An in-memory engine hashing with `hasher` (tests that count hashing work).
    static func inMemory(_ configuration: EngineConfiguration, clock: any EngineClock, executors: [ShardExecutor]? = nil,
                         hasher: (any PasswordHashing)?) -> AuthEngine {
        // An in-memory leader of an EdDSA/ES256 engine starts with a key that signs at once.
        let keys = configuration.accessTokenAlgorithm.isAsymmetric && !configuration.startsFollowing
            ? [SigningKey.generate(configuration.accessTokenAlgorithm, at: clock.now(), activatesAt: clock.now())] : []
        let engine = AuthEngine(configuration: configuration, clock: clock, journal: Journal(log: nil), executors: executors, hasher: hasher,
                                signingKeys: keys)
        engine.ready.store(true, ordering: .releasing)
        return engine
    }

    /// Whether the engine has recovered and its log can write.
    public var isReady: Bool { ready.load(ordering: .acquiring) && journal.isWritable }

    func markReady() { ready.store(true, ordering: .releasing) }

    func shard(for route: UInt16) -> Shard { shards[ShardRoute.shard(route: route, count: shards.count)] }

    func shard(forUser id: UUID) -> Shard { shard(for: ShardRoute.route(userID: id)) }

    // MARK: Users and sessions

    public func register(name: FieldInput, email: FieldInput, password: FieldInput) async throws(AuthError) -> UserView {
        let request = try Validation.registration(name: name, email: email, password: password)
        let route = ShardRoute.route(email: request.email)
        let shard = shard(for: route)
        // Cheap early answer for a taken email; the shard re-checks atomically below.
        if await shard.emailExists(request.email) { throw .userAlreadyExists }
        let hasher = self.hasher
        let password = request.password
        let hash = try await hashPool.run { hasher.hash(password) }
        return try await shard.register(name: request.name, email: request.email, passwordHash: hash, route: route)
    }

    /// Verifies a password and opens a session.
    ///
    /// The fields are validated before anything is keyed by them. The account's lockout
    /// (`EngineConfiguration.loginLockout`) is asked first and reserves the password check
    /// before any hashing; the check's outcome settles it (`LoginLockout`). Unknown emails
    /// take the same path against the decoy hash, and a stored hash cheaper than the
    /// configured cost pays the difference on failure (`PasswordCheck`), so neither the
    /// answers nor the hashing work tell which accounts exist.
    public func login(email: FieldInput, password: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant {
        let credentials = try Validation.credentials(email: email, password: password)
        let shard = shard(for: ShardRoute.route(email: credentials.email))
        let lockoutKey = LimiterKey(credentials.email, domain: .loginLockout)
        let found = try await shard.beginLogin(email: credentials.email, lockoutKey: lockoutKey)
        let hasher = self.hasher
        let decoy = decoyHash
        let stored = found?.1
        let password = credentials.password
        let check: PasswordCheck.Outcome
        do {
            check = try await hashPool.run { PasswordCheck.run(password: password, stored: stored, decoy: decoy, hasher: hasher) }
        } catch {
            await shard.endLogin(lockoutKey: lockoutKey, outcome: .notChecked)
            throw error
        }
        guard check.matches, let (userID, _) = found else {
            await shard.endLogin(lockoutKey: lockoutKey, outcome: .passwordWrong)
            throw .invalidCredentials
        }
        return try await shard.openSession(userID: userID, client: client, rehashed: check.rehashed, lockoutKey: lockoutKey)
    }

    public func refresh(refreshToken: FieldInput, client: ClientInfo) async throws(AuthError) -> TokenGrant {
        let parsed = try parse(refreshToken: try Validation.refreshToken(refreshToken))
        return try await shard(forUser: parsed.claims.subject).refresh(parsed, client: client)
    }

    public func me(accessToken: String) async throws(AuthError) -> (user: UserView, session: SessionView) {
        let parsed = try parse(accessToken: accessToken)
        return try await shard(forUser: parsed.claims.subject).me(parsed)
    }

    public func listSessions(accessToken: String) async throws(AuthError) -> [SessionView] {
        let parsed = try parse(accessToken: accessToken)
        return try await shard(forUser: parsed.claims.subject).listSessions(parsed)
    }

    /// Revokes one of the caller's sessions; another user's or an unknown id is `.sessionNotFound`.
    public func revokeSession(accessToken: String, sessionID: String) async throws(AuthError) {
        let parsed = try parse(accessToken: accessToken)
        guard let id = UUID(canonical: sessionID.utf8) else {
            throw .invalidPayload([FieldIssue(path: "sessionId", message: "Invalid uuid")])
        }
        try await shard(forUser: parsed.claims.subject).revokeSession(parsed, sessionID: id)
    }

    /// Revokes every active session of the caller, the current one included.
    @discardableResult
    public func revokeAllSessions(accessToken: String) async throws(AuthError) -> Int {
        let parsed = try parse(accessToken: accessToken)
        return try await shard(forUser: parsed.claims.subject).revokeAllSessions(parsed)
    }

    public func revokeCurrentSession(refreshToken: FieldInput) async throws(AuthError) {
        let parsed = try parse(refreshToken: try Validation.refreshToken(refreshToken))
        try await shard(forUser: parsed.claims.subject).revokeCurrentSession(parsed)
    }

    /// Takes one token from the bucket of `key` (`capacity` per `windowMilliseconds`).
    public func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int) async -> RateLimitDecision {
        let (shard, digest) = bucket(for: key)
        return await shard.consume(digest, capacity: capacity, windowMilliseconds: windowMilliseconds)
    }

    /// The shard owning a bucket, and the digest that shard files it under (emails
    /// normalised first, so case and spaces cannot multiply buckets).
    private func bucket(for key: RateLimitKey) -> (Shard, LimiterKey) {
        switch key {
        case .ip(let ip):
            return (shard(for: ShardRoute.route(email: ip)), LimiterKey(ip, domain: .ip))
        case .account(let email):
            let normalized = Validation.normalizeEmail(email)
            return (shard(for: ShardRoute.route(email: normalized)), LimiterKey(normalized, domain: .account))
        }
    }

    public func statistics() async -> EngineStatistics {
        var stats = EngineStatistics()
        for shard in shards {
            let (c, purged) = await shard.counts()
            stats.users += c.users
            stats.sessionsActive += c.active
            stats.sessionsExpired += c.expired
            stats.sessionsRevoked += c.revoked
            stats.sessionsCompromised += c.compromised
            stats.sessionsPurged += purged
            let limiters = await shard.limiterCounts()
            stats.rateLimitBuckets += limiters.buckets
            stats.loginLockoutEntries += limiters.lockouts
            stats.loginLockouts += limiters.locked
            stats.limiterEvictions += limiters.evicted
        }
        let cache = await accessCacheCounts()
        stats.accessCacheHits = cache.hits
        stats.accessCacheMisses = cache.misses
        stats.accessCacheEntries = cache.entries
        stats.hashQueueDepth = hashPool.queueDepth
        stats.hashQueueLimit = configuration.hashQueueLimit
        stats.hashRejected = hashPool.rejectedCount
        fillStorageStatistics(&stats)
        return stats
    }

    // MARK: The hot path without Swift concurrency

    /// `me` for callers that live on event loops: runs on the owning shard's executor (right
    /// here when the caller already is on it, otherwise after one hop there) and calls
    /// `completion` on that executor. No task is created.
    public func me(accessToken: String, completion: @escaping @Sendable (Result<(user: UserView, session: SessionView), AuthError>) -> Void) {
        let parsed: TokenCodec.Parsed
        do { parsed = try parse(accessToken: accessToken) } catch { completion(.failure(error)); return }
        let shard = shard(forUser: parsed.claims.subject)
        // On the shard's own executor nothing escapes: no closure is allocated for the hop.
        if shard.placement.isCurrent() {
            completion(Self.me(parsed, on: shard))
        } else if let slot = accessCaches.first(where: { $0.placement.isCurrent() }) {
            // On another loop: answered from this loop's cache while it holds, else one hop to
            // the shard, whose answer is cached and delivered back on this loop.
            let now = clock.now()
            let settings = self.settings
            let versions = self.versions
            if let hit = slot.withCache({ $0.answer(parsed, now: now, settings: settings, versions: versions) }) {
                completion(.success(hit))
                return
            }
            shard.placement.run {
                let entry = shard.assumeIsolated { shard -> Result<AccessCache.Entry, AuthError> in
                    do throws(AuthError) { return .success(try shard.meEntry(parsed)) } catch { return .failure(error) }
                }
                slot.placement.run {
                    if case .success(let entry) = entry { slot.withCache { $0.insert(entry, for: parsed.claims.session) } }
                    completion(entry.map { ($0.user, $0.session) })
                }
            }
        } else {
            shard.placement.run { completion(Self.me(parsed, on: shard)) }
        }
    }

    /// Hits and misses of the loops' access caches since start, and the entries they hold.
    public func accessCacheCounts() async -> (hits: Int, misses: Int, entries: Int) {
        var total = (hits: 0, misses: 0, entries: 0)
        for slot in accessCaches {
            let counts = await withCheckedContinuation { (continuation: CheckedContinuation<(Int, Int, Int), Never>) in
                slot.placement.run { continuation.resume(returning: slot.withCache { ($0.hits, $0.misses, $0.count) }) }
            }
            total.hits += counts.0
            total.misses += counts.1
            total.entries += counts.2
        }
        return total
    }

    private static func me(_ parsed: TokenCodec.Parsed, on shard: Shard) -> Result<(user: UserView, session: SessionView), AuthError> {
        shard.assumeIsolated { shard in
            do throws(AuthError) { return .success(try shard.me(parsed)) } catch { return .failure(error) }
        }
    }

    /// `refresh` for callers that live on event loops: decides, applies and appends on the
    /// owning shard's executor, then calls `completion` once the rotation is durable (on the
    /// WAL writer thread) or at once for an answer that needs no write. No task is created.
    public func refresh(refreshToken: FieldInput, client: ClientInfo, completion: @escaping @Sendable (Result<TokenGrant, AuthError>) -> Void) {
        let parsed: TokenCodec.Parsed
        do { parsed = try parse(refreshToken: try Validation.refreshToken(refreshToken)) } catch { completion(.failure(error)); return }
        let shard = shard(forUser: parsed.claims.subject)
        let journal = self.journal
        if shard.placement.isCurrent() {
            Self.refresh(parsed, client: client, on: shard, journal: journal, completion: completion)
        } else {
            shard.placement.run { Self.refresh(parsed, client: client, on: shard, journal: journal, completion: completion) }
        }
    }

    private static func refresh(_ parsed: TokenCodec.Parsed, client: ClientInfo, on shard: Shard, journal: Journal,
                                completion: @escaping @Sendable (Result<TokenGrant, AuthError>) -> Void) {
        let begun = shard.assumeIsolated { shard -> Result<(lsn: UInt64, outcome: Result<TokenGrant, AuthError>), AuthError> in
            do throws(AuthError) { return .success(try shard.beginRefresh(parsed, client: client)) } catch { return .failure(error) }
        }
        switch begun {
        case .failure(let error):
            completion(.failure(error))
        case .success(let (lsn, outcome)):
            journal.whenDurable(lsn) { durable in completion(durable.flatMap { outcome }) }
        }
    }

    /// `consume` with a completion, run on the owning shard's executor without a task.
    public func consume(_ key: RateLimitKey, capacity: Int, windowMilliseconds: Int, completion: @escaping @Sendable (RateLimitDecision) -> Void) {
        let (shard, digest) = bucket(for: key)
        if shard.placement.isCurrent() {
            completion(shard.assumeIsolated { $0.consume(digest, capacity: capacity, windowMilliseconds: windowMilliseconds) })
        } else {
            shard.placement.run {
                completion(shard.assumeIsolated { $0.consume(digest, capacity: capacity, windowMilliseconds: windowMilliseconds) })
            }
        }
    }

    // MARK: Parsing

    private func parse(accessToken: String) throws(AuthError) -> TokenCodec.Parsed {
        guard case .success(let parsed) = settings.codec.parse(accessToken) else { throw .invalidToken }
        return parsed
    }

    private func parse(refreshToken: String) throws(AuthError) -> TokenCodec.Parsed {
        guard case .success(let parsed) = settings.codec.parse(refreshToken) else { throw .invalidRefreshToken }
        return parsed
    }
}
