import Dispatch
import Foundation
import Locking

/// The engine's state as one snapshot payload: every shard's users and sessions with the
/// LSN each shard reflects.
///
/// Shards are captured one after another while requests continue, so each has its own
/// LSN; recovery replays a WAL record only into state that does not yet reflect it,
/// deciding by the shard the record's user had in the snapshot (`ShardRoute` on the
/// snapshot's shard count). That is what lets the shard count change between restarts.
struct EngineSnapshot: Sendable {
    /// 2 adds each part's signing keys after its users; version 1 payloads still load (no keys).
    static let formatVersion: UInt8 = 2

    /// One captured shard.
    struct Part: Sendable {
        var state: ShardState
        var lsn: UInt64
    }

    var parts: [Part]

    /// The LSN every part reflects at least: WAL records at or below it are never needed again.
    var coveredLSN: UInt64 { parts.map(\.lsn).min() ?? 0 }

    /// The highest LSN any part reflects.
    var newestLSN: UInt64 { parts.map(\.lsn).max() ?? 0 }

    /// Whether the record at `lsn` for `userID` is already reflected in this snapshot.
    func reflects(lsn: UInt64, userID: UUID) -> Bool {
        guard !parts.isEmpty else { return false }
        let old = ShardRoute.shard(route: ShardRoute.route(userID: userID), count: parts.count)
        return lsn <= parts[old].lsn
    }

    func encoded() -> [UInt8] {
        let users = parts.reduce(0) { $0 + $1.state.users.count }
        let sessions = parts.reduce(0) { $0 + $1.state.sessions.count }
        var w = BinaryWriter(capacity: 64 + users * 190 + sessions * 110)
        w.write(Self.formatVersion)
        w.write(UInt32(parts.count))
        for part in parts {
            // Each part is prefixed by its length, so recovery can decode parts in parallel.
            let lengthAt = w.bytes.count
            w.write(UInt64(0))
            w.write(part.lsn)
            w.write(UInt32(part.state.users.count))
            w.write(UInt32(part.state.sessions.count))
            for user in part.state.users.values {
                w.write(user.id); w.write(user.name); w.write(user.email); w.write(user.passwordHash); w.write(user.createdAt)
                w.write(UInt32(user.sessionIDs.count))
                for id in user.sessionIDs {
                    let s = part.state.sessions[id]!
                    w.write(s.id); w.write(s.status.code); w.write(s.createdAt); w.write(s.lastSeenAt)
                    w.write(s.userAgent); w.write(s.ipAddress); w.write(s.revokedAt); w.write(s.revokeReason?.rawValue)
                    w.write(s.chain.current); w.write(s.chain.issuedAt); w.write(s.chain.generation)
                    w.write(s.chain.parent); w.write(s.chain.rotatedAt)
                }
            }
            w.write(UInt32(part.state.signingKeys.count))
            for key in part.state.signingKeys { w.write(key) }
            let length = UInt64(w.bytes.count - lengthAt - 8)
            withUnsafeBytes(of: length.littleEndian) { raw in
                for i in 0..<8 { w.bytes[lengthAt + i] = raw[i] }
            }
        }
        return w.bytes
    }

    init(parts: [Part]) {
        self.parts = parts
    }

    init(decoding bytes: [UInt8]) throws(EngineDecodingError) {
        // Find the parts, then decode them side by side (one per core).
        let version = bytes.first ?? 0
        let ranges = try BinaryReader.decode(bytes) { (r: inout BinaryReader) throws(EngineDecodingError) -> [Range<Int>] in
            let version = try r.readUInt8()
            guard version == 1 || version == Self.formatVersion else { throw .unsupportedVersion(version) }
            let partCount = Int(try r.readUInt32())
            var ranges: [Range<Int>] = []
            for _ in 0..<partCount {
                let lengthAt = r.offset
                let length = try r.readUInt64()
                guard length <= UInt64(bytes.count - r.offset) else { throw .truncated(offset: lengthAt) }
                ranges.append(r.offset..<r.offset + Int(length))
                r.offset += Int(length)
            }
            guard r.isAtEnd else { throw .trailingBytes(offset: r.offset) }
            return ranges
        }
        let results = LockedValue([Result<Part, EngineDecodingError>?](repeating: nil, count: ranges.count))
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            let result: Result<Part, EngineDecodingError>
            do throws(EngineDecodingError) {
                result = .success(try BinaryReader.decode(bytes) { (r: inout BinaryReader) throws(EngineDecodingError) -> Part in
                    r.offset = ranges[index].lowerBound
                    let part = try Self.decodePart(&r, version: version)
                    guard r.offset == ranges[index].upperBound else { throw .trailingBytes(offset: r.offset) }
                    return part
                })
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[index] = result }
        }
        parts = try results.withLock { all throws(EngineDecodingError) -> [Part] in
            var parts: [Part] = []
            for result in all { parts.append(try result!.get()) }
            return parts
        }
    }

    private static func decodePart(_ r: inout BinaryReader, version: UInt8) throws(EngineDecodingError) -> Part {
        let lsn = try r.readUInt64()
        let countsAt = r.offset
        let userCount = Int(try r.readUInt32())
        let sessionTotal = Int(try r.readUInt32())
        // Every user and every session starts with its 16-byte id: damaged counts must not
        // reserve memory for entries that are not there (found by Fuzz/Sources/FuzzSnapshot).
        guard userCount <= r.remaining / 16, sessionTotal <= r.remaining / 16 else { throw .truncated(offset: countsAt) }
        var state = ShardState()
        state.reserve(users: userCount, sessions: sessionTotal)
        for _ in 0..<userCount {
            let at = r.offset
            var user = UserState(id: try r.readUUID(), name: try r.readString(), email: try r.readString(),
                                 passwordHash: try r.readString(), createdAt: try r.readTimestamp(), sessionIDs: [])
            let sessionCountAt = r.offset
            let sessionCount = Int(try r.readUInt32())
            guard sessionCount <= r.remaining / 16 else { throw .truncated(offset: sessionCountAt) }
            user.sessionIDs.reserveCapacity(sessionCount)
            var sessions: [SessionState] = []
            sessions.reserveCapacity(sessionCount)
            for _ in 0..<sessionCount {
                let id = try r.readUUID()
                let codeAt = r.offset
                guard let status = SessionStatus(code: try r.readUInt8()) else { throw .invalidTag(offset: codeAt) }
                let createdAt = try r.readTimestamp(), lastSeenAt = try r.readTimestamp()
                let userAgent = try r.readOptionalString(), ipAddress = try r.readOptionalString()
                let revokedAt = try r.readOptionalTimestamp()
                let reasonAt = r.offset
                var reason: RevokeReason? = nil
                if let text = try r.readOptionalString() {
                    guard let known = RevokeReason(rawValue: text) else { throw .invalidTag(offset: reasonAt) }
                    reason = known
                }
                let chain = RefreshChain(current: try r.readTokenID(), issuedAt: try r.readInt64(), generation: try r.readUInt32(),
                                         parent: try r.readOptionalTokenID(), rotatedAt: try r.readOptionalTimestamp())
                sessions.append(SessionState(id: id, userID: user.id, status: status, createdAt: createdAt, lastSeenAt: lastSeenAt,
                                             userAgent: userAgent, ipAddress: ipAddress, revokedAt: revokedAt,
                                             revokeReason: reason, chain: chain))
                user.sessionIDs.append(id)
            }
            do {
                try state.insert(user)
                for session in sessions { try state.insert(session) }
            } catch {
                throw .invalidTag(offset: at)
            }
        }
        if version >= 2 {
            let countAt = r.offset
            let keyCount = Int(try r.readUInt32())
            guard keyCount <= r.remaining / 32 else { throw .truncated(offset: countAt) }
            for _ in 0..<keyCount {
                let at = r.offset
                let key = try r.readSigningKey()
                do { try state.insert(key) } catch { throw .invalidTag(offset: at) }
            }
        }
        return Part(state: state, lsn: lsn)
    }
}

extension SessionStatus {
    var code: UInt8 {
        switch self {
        // EXPIRED is derived, never held in state; were it, it would be the ACTIVE it is stored as.
        case .active, .expired: 0
        case .revoked: 1
        case .compromised: 2
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .active
        case 1: self = .revoked
        case 2: self = .compromised
        default: return nil
        }
    }
}

extension EngineSnapshot {
    /// The users and sessions of all parts, partitioned for `count` shards by each user's route.
    func redistributed(into count: Int) throws(ShardState.ApplyError) -> [ShardState] {
        if parts.count == count { return parts.map(\.state) }
        var states = Array(repeating: ShardState(), count: count)
        let users = parts.reduce(0) { $0 + $1.state.users.count }
        let sessions = parts.reduce(0) { $0 + $1.state.sessions.count }
        for index in states.indices { states[index].reserve(users: users / count + 1024, sessions: sessions / count + 1024) }
        for part in parts {
            for user in part.state.users.values {
                let index = ShardRoute.shard(route: ShardRoute.route(userID: user.id), count: count)
                try states[index].insert(user)
                for id in user.sessionIDs {
                    if let session = part.state.session(id) { try states[index].insert(session) }
                }
            }
            let owner = ShardRoute.shard(route: ShardRoute.route(userID: SigningKey.ownerID), count: count)
            for key in part.state.signingKeys { try states[owner].insert(key) }
        }
        return states
    }
}
