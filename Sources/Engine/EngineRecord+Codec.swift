import Foundation

extension EngineRecord {
    /// The format version written as the first byte of every record.
    static let formatVersion: UInt8 = 1

    private enum Tag: UInt8 {
        case userRegistered = 1, passwordRehashed, sessionOpened, sessionRotated, sessionRevoked, sessionCompromised, sessionsPurged, signingKeyCreated, signingKeyDropped
    }

    /// The record's bytes for the WAL.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter()
        w.write(Self.formatVersion)
        switch self {
        case let .userRegistered(userID, name, email, passwordHash, at):
            w.write(Tag.userRegistered.rawValue); w.write(userID); w.write(name); w.write(email); w.write(passwordHash); w.write(at)
        case let .passwordRehashed(userID, passwordHash):
            w.write(Tag.passwordRehashed.rawValue); w.write(userID); w.write(passwordHash)
        case let .sessionOpened(userID, sessionID, at, userAgent, ipAddress, tokenID, issuedAt):
            w.write(Tag.sessionOpened.rawValue); w.write(userID); w.write(sessionID); w.write(at)
            w.write(userAgent); w.write(ipAddress); w.write(tokenID); w.write(issuedAt)
        case let .sessionRotated(userID, sessionID, parent, child, issuedAt, at, ipAddress):
            w.write(Tag.sessionRotated.rawValue); w.write(userID); w.write(sessionID); w.write(parent); w.write(child)
            w.write(issuedAt); w.write(at); w.write(ipAddress)
        case let .sessionRevoked(userID, sessionID, at, reason):
            w.write(Tag.sessionRevoked.rawValue); w.write(userID); w.write(sessionID); w.write(at); w.write(reason.rawValue)
        case let .sessionCompromised(userID, sessionID, at, replayed):
            w.write(Tag.sessionCompromised.rawValue); w.write(userID); w.write(sessionID); w.write(at); w.write(replayed)
        case let .sessionsPurged(userID, sessionIDs, at):
            w.write(Tag.sessionsPurged.rawValue); w.write(userID); w.write(at); w.write(UInt32(sessionIDs.count))
            for id in sessionIDs { w.write(id) }
        case let .signingKeyCreated(key):
            w.write(Tag.signingKeyCreated.rawValue); w.write(key)
        case let .signingKeyDropped(kid, at):
            w.write(Tag.signingKeyDropped.rawValue); w.write(kid); w.write(at)
        }
        return w.bytes
    }

    /// Decodes one record; throws on any byte that does not fit the format.
    public init(decoding bytes: [UInt8]) throws(EngineDecodingError) {
        self = try BinaryReader.decode(bytes) { (r: inout BinaryReader) throws(EngineDecodingError) -> EngineRecord in
            let version = try r.readUInt8()
            guard version == Self.formatVersion else { throw .unsupportedVersion(version) }
            let tagOffset = r.offset
            guard let tag = Tag(rawValue: try r.readUInt8()) else { throw .invalidTag(offset: tagOffset) }
            let record: EngineRecord
            switch tag {
            case .userRegistered:
                record = .userRegistered(userID: try r.readUUID(), name: try r.readString(), email: try r.readString(),
                                         passwordHash: try r.readString(), at: try r.readTimestamp())
            case .passwordRehashed:
                record = .passwordRehashed(userID: try r.readUUID(), passwordHash: try r.readString())
            case .sessionOpened:
                record = .sessionOpened(userID: try r.readUUID(), sessionID: try r.readUUID(), at: try r.readTimestamp(),
                                        userAgent: try r.readOptionalString(), ipAddress: try r.readOptionalString(),
                                        tokenID: try r.readTokenID(), issuedAt: try r.readInt64())
            case .sessionRotated:
                record = .sessionRotated(userID: try r.readUUID(), sessionID: try r.readUUID(), parent: try r.readTokenID(),
                                         child: try r.readTokenID(), issuedAt: try r.readInt64(), at: try r.readTimestamp(),
                                         ipAddress: try r.readOptionalString())
            case .sessionRevoked:
                let userID = try r.readUUID(), sessionID = try r.readUUID(), at = try r.readTimestamp()
                let reasonOffset = r.offset
                guard let reason = RevokeReason(rawValue: try r.readString()) else { throw .invalidTag(offset: reasonOffset) }
                record = .sessionRevoked(userID: userID, sessionID: sessionID, at: at, reason: reason)
            case .sessionCompromised:
                record = .sessionCompromised(userID: try r.readUUID(), sessionID: try r.readUUID(), at: try r.readTimestamp(), replayed: try r.readTokenID())
            case .sessionsPurged:
                let userID = try r.readUUID(), at = try r.readTimestamp()
                let countAt = r.offset
                let count = Int(try r.readUInt32())
                // A damaged count must not reserve memory for ids that are not there.
                guard count <= r.remaining / 16 else { throw .truncated(offset: countAt) }
                var ids: [UUID] = []
                ids.reserveCapacity(count)
                for _ in 0..<count { ids.append(try r.readUUID()) }
                record = .sessionsPurged(userID: userID, sessionIDs: ids, at: at)
            case .signingKeyCreated:
                record = .signingKeyCreated(try r.readSigningKey())
            case .signingKeyDropped:
                record = .signingKeyDropped(kid: try r.readString(), at: try r.readTimestamp())
            }
            guard r.isAtEnd else { throw .trailingBytes(offset: r.offset) }
            return record
        }
    }

    /// A one-line human description for `authd wal dump` (never includes password hashes or key bytes).
    public var summary: String {
        switch self {
        case let .userRegistered(userID, _, email, _, _): "user.registered user=\(userID.lowercased) email=\(email)"
        case let .passwordRehashed(userID, _): "user.rehashed user=\(userID.lowercased)"
        case let .sessionOpened(userID, sessionID, _, _, ip, tokenID, _):
            "session.opened user=\(userID.lowercased) session=\(sessionID.lowercased) jti=\(String(decoding: tokenID.encoded, as: UTF8.self)) ip=\(ip ?? "-")"
        case let .sessionRotated(_, sessionID, parent, child, _, _, _):
            "session.rotated session=\(sessionID.lowercased) parent=\(String(decoding: parent.encoded, as: UTF8.self)) child=\(String(decoding: child.encoded, as: UTF8.self))"
        case let .sessionRevoked(_, sessionID, _, reason): "session.revoked session=\(sessionID.lowercased) reason=\(reason.rawValue)"
        case let .sessionCompromised(_, sessionID, _, replayed):
            "session.compromised session=\(sessionID.lowercased) replayed=\(String(decoding: replayed.encoded, as: UTF8.self))"
        case let .sessionsPurged(userID, sessionIDs, _):
            "sessions.purged user=\(userID.lowercased) count=\(sessionIDs.count) sessions=\(sessionIDs.map(\.lowercased).joined(separator: ","))"
        case let .signingKeyCreated(key):
            "signing-key.created kid=\(key.kid) alg=\(key.algorithm.rawValue) activates=\(key.activatesAt.milliseconds)"
        case let .signingKeyDropped(kid, _):
            "signing-key.dropped kid=\(kid)"
        }
    }
}
