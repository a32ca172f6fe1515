import Foundation

/// All users, sessions and the email index of one shard, as a value.
///
/// `apply` is the only way state changes, at run time and during recovery alike.
/// It is pure (no I/O, no clock), so tests drive it directly.
struct ShardState: Sendable, Equatable {
    private(set) var users: [UUID: UserState] = [:]
    private(set) var emailIndex: [String: UUID] = [:]
    private(set) var sessions: [UUID: SessionState] = [:]
    /// The access-token signing keys, in creation order: held by `SigningKey.ownerID`'s shard
    /// (shard 0) only, empty elsewhere.
    private(set) var signingKeys: [SigningKey] = []

    /// A record that does not fit the current state (recovery of a damaged or foreign log).
    enum ApplyError: Error, Equatable, CustomStringConvertible {
        case duplicateUser(UUID)
        case duplicateEmail(String)
        case unknownUser(UUID)
        case unknownSession(UUID)
        case duplicateSession(UUID)
        case duplicateSigningKey(String)
        case unknownSigningKey(String)

        /// One line for logs and operators.
        var description: String {
            switch self {
            case .duplicateUser(let id): "user \(id.lowercased) already exists"
            case .duplicateEmail(let email): "email \(email) already belongs to another user"
            case .unknownUser(let id): "no user \(id.lowercased)"
            case .unknownSession(let id): "no session \(id.lowercased) of that user"
            case .duplicateSession(let id): "session \(id.lowercased) already exists"
            case .duplicateSigningKey(let kid): "signing key \(kid) already exists"
            case .unknownSigningKey(let kid): "no signing key \(kid)"
            }
        }
    }

    /// Sizes the tables once before a bulk load (snapshot decode), instead of doubling.
    mutating func reserve(users: Int, sessions: Int) {
        self.users.reserveCapacity(users)
        emailIndex.reserveCapacity(users)
        self.sessions.reserveCapacity(sessions)
    }

    /// Restores a user read from a snapshot (sessions are inserted separately).
    mutating func insert(_ user: UserState) throws(ApplyError) {
        // One hash per table: the insert reports what it replaced.
        if let previous = users.updateValue(user, forKey: user.id) {
            users[user.id] = previous
            throw .duplicateUser(user.id)
        }
        if let previous = emailIndex.updateValue(user.id, forKey: user.email) {
            emailIndex[user.email] = previous
            users[user.id] = nil
            throw .duplicateEmail(user.email)
        }
    }

    /// Restores a session read from a snapshot; its user must be present.
    mutating func insert(_ session: SessionState) throws(ApplyError) {
        guard users[session.userID] != nil else { throw .unknownUser(session.userID) }
        if let previous = sessions.updateValue(session, forKey: session.id) {
            sessions[session.id] = previous
            throw .duplicateSession(session.id)
        }
    }

    /// Restores a signing key read from a snapshot.
    mutating func insert(_ key: SigningKey) throws(ApplyError) {
        guard !signingKeys.contains(where: { $0.kid == key.kid }) else { throw .duplicateSigningKey(key.kid) }
        signingKeys.append(key)
    }

    func user(byEmail email: String) -> UserState? {
        emailIndex[email].flatMap { users[$0] }
    }

    func user(_ id: UUID) -> UserState? { users[id] }

    func session(_ id: UUID) -> SessionState? { sessions[id] }

    /// Applies one record.
    mutating func apply(_ record: EngineRecord) throws(ApplyError) {
        switch record {
        case let .userRegistered(userID, name, email, passwordHash, at):
            guard users[userID] == nil else { throw .duplicateUser(userID) }
            guard emailIndex[email] == nil else { throw .duplicateEmail(email) }
            users[userID] = UserState(id: userID, name: name, email: email, passwordHash: passwordHash, createdAt: at, sessionIDs: [])
            emailIndex[email] = userID

        case let .passwordRehashed(userID, passwordHash):
            guard users[userID] != nil else { throw .unknownUser(userID) }
            users[userID]!.passwordHash = passwordHash

        case let .sessionOpened(userID, sessionID, at, userAgent, ipAddress, tokenID, issuedAt):
            guard users[userID] != nil else { throw .unknownUser(userID) }
            guard sessions[sessionID] == nil else { throw .duplicateSession(sessionID) }
            let chain = RefreshChain(current: tokenID, issuedAt: issuedAt, generation: 0, parent: nil, rotatedAt: nil)
            sessions[sessionID] = SessionState(id: sessionID, userID: userID, status: .active, createdAt: at, lastSeenAt: at,
                                               userAgent: userAgent, ipAddress: ipAddress, revokedAt: nil, revokeReason: nil, chain: chain)
            users[userID]!.sessionIDs.append(sessionID)

        case let .sessionRotated(userID, sessionID, parent, child, issuedAt, at, ipAddress):
            guard var session = sessions[sessionID], session.userID == userID else { throw .unknownSession(sessionID) }
            session.chain = RefreshChain(current: child, issuedAt: issuedAt, generation: session.chain.generation &+ 1,
                                         parent: parent, rotatedAt: at)
            session.lastSeenAt = at
            if let ipAddress { session.ipAddress = ipAddress }
            sessions[sessionID] = session

        case let .sessionRevoked(userID, sessionID, at, reason):
            guard var session = sessions[sessionID], session.userID == userID else { throw .unknownSession(sessionID) }
            if session.status == .active {
                session.status = .revoked
                session.revokedAt = at
                session.revokeReason = reason
                sessions[sessionID] = session
            }

        case let .sessionCompromised(userID, sessionID, at, _):
            guard var session = sessions[sessionID], session.userID == userID else { throw .unknownSession(sessionID) }
            if session.status != .compromised {
                session.status = .compromised
                session.revokedAt = session.revokedAt ?? at
                session.revokeReason = .refreshTokenReuse
                sessions[sessionID] = session
            }

        case let .sessionsPurged(userID, sessionIDs, _):
            try purge(sessionIDs, of: userID)

        case let .signingKeyCreated(key):
            try insert(key)

        case let .signingKeyDropped(kid, _):
            guard let index = signingKeys.firstIndex(where: { $0.kid == kid }) else { throw .unknownSigningKey(kid) }
            signingKeys.remove(at: index)
        }
    }

    /// Removes sessions of one user from the session table and from the user's list. Every id
    /// must be a session of that user, named once; nothing changes when one is not.
    private mutating func purge(_ ids: [UUID], of userID: UUID) throws(ApplyError) {
        guard users[userID] != nil else { throw .unknownUser(userID) }
        var named = Set<UUID>(minimumCapacity: ids.count)
        for id in ids {
            guard sessions[id]?.userID == userID, named.insert(id).inserted else { throw .unknownSession(id) }
        }
        for id in ids { sessions[id] = nil }
        users[userID]!.sessionIDs.removeAll { named.contains($0) }
        // Swift's collections keep their capacity when elements go: give the memory back once
        // a table holds less than a quarter of what it has room for (the mirror image of the
        // doubling on growth, so amortised O(1) per purged session, with hysteresis).
        if users[userID]!.sessionIDs.capacity > 4 * users[userID]!.sessionIDs.count + 16 {
            var kept: [UUID] = []
            kept.reserveCapacity(users[userID]!.sessionIDs.count)
            kept.append(contentsOf: users[userID]!.sessionIDs)
            users[userID]!.sessionIDs = kept
        }
        if sessions.capacity > Self.compactionFloor, sessions.count * 4 < sessions.capacity {
            var compact = [UUID: SessionState](minimumCapacity: sessions.count * 2)
            for (id, session) in sessions { compact[id] = session }
            sessions = compact
        }
    }

    /// Tables with room for fewer sessions than this are never rebuilt smaller.
    static let compactionFloor = 4096

    /// Counts of sessions by status and of users, for metrics and `authd inspect`. With a
    /// lifetime, ACTIVE sessions past their expiry at `now` count as EXPIRED; without one
    /// (inspect, which knows no token lifetime), as the ACTIVE they are stored as.
    func counts(_ lifetime: SessionLifetime? = nil, at now: Timestamp = Timestamp(milliseconds: 0)) -> SessionCounts {
        var counts = SessionCounts(users: users.count)
        for session in sessions.values {
            switch lifetime?.status(of: session, at: now) ?? session.status {
            case .active: counts.active += 1
            case .expired: counts.expired += 1
            case .revoked: counts.revoked += 1
            case .compromised: counts.compromised += 1
            }
        }
        return counts
    }
}
