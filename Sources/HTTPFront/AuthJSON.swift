import Engine
import JSON
import NIOCore

/// The JSON shapes of our answers, written straight into buffers.
///
/// User: `{id, name, email, createdAt}` (never the password hash).
/// Session: `{id, sessionId, status, createdAt, lastSeenAt, userAgent,
/// ipAddress, revokedAt, revokeReason, current}` with `null` where absent;
/// `sessionId` repeats `id` because the seed's clients read that name.
/// Timestamps are ISO 8601 in UTC with milliseconds.
///
/// Each answer is written in place into its buffer's memory (`ByteBuffer.json`), with room
/// estimated from its strings' lengths.
public enum AuthJSON {
    /// Room for a user object besides its name and email (keys, id, timestamp, punctuation).
    static let userRoom = 128
    /// Room for a session object besides its strings (keys, ids, timestamps, punctuation).
    static let sessionRoom = 320
    /// `{"user":...}` (register).
    public static func registered(_ user: UserView, allocator: ByteBufferAllocator) -> ByteBuffer {
        ByteBuffer.json(estimate: 16 + room(user), allocator: allocator) { writer in
            writer.beginObject()
            writer.key("user")
            write(user, into: &writer)
            writer.endObject()
        }
    }

    /// `{"accessToken","refreshToken","user","session"}` (login, refresh).
    public static func grant(_ grant: TokenGrant, allocator: ByteBufferAllocator) -> ByteBuffer {
        let estimate = 64 + grant.accessToken.utf8.count + grant.refreshToken.utf8.count + room(grant.user) + room(grant.session)
        return ByteBuffer.json(estimate: estimate, allocator: allocator) { writer in
            writer.beginObject()
            writer.key("accessToken")
            writer.string(grant.accessToken)
            writer.key("refreshToken")
            writer.string(grant.refreshToken)
            writer.key("user")
            write(grant.user, into: &writer)
            writer.key("session")
            write(grant.session, into: &writer)
            writer.endObject()
        }
    }

    /// `{"user","session"}` (me).
    public static func me(user: UserView, session: SessionView, allocator: ByteBufferAllocator) -> ByteBuffer {
        ByteBuffer.json(estimate: 32 + room(user) + room(session), allocator: allocator) { writer in
            writer.beginObject()
            writer.key("user")
            write(user, into: &writer)
            writer.key("session")
            write(session, into: &writer)
            writer.endObject()
        }
    }

    /// `{"sessions":[...]}` (list).
    public static func sessions(_ sessions: [SessionView], allocator: ByteBufferAllocator) -> ByteBuffer {
        let estimate = sessions.reduce(32) { $0 + room($1) }
        return ByteBuffer.json(estimate: estimate, allocator: allocator) { writer in
            writer.beginObject()
            writer.key("sessions")
            writer.beginArray()
            for session in sessions { write(session, into: &writer) }
            writer.endArray()
            writer.endObject()
        }
    }

    /// `{"error":{"code","message","details"?,"correlationId"}}`.
    public static func errorEnvelope(_ error: APIError, correlationID: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let estimate = 96 + error.code.utf8.count + error.message.utf8.count + correlationID.utf8.count
            + (error.details ?? []).reduce(0) { $0 + 32 + $1.path.utf8.count + $1.message.utf8.count }
        return ByteBuffer.json(estimate: estimate, allocator: allocator) { writer in
            writer.beginObject()
            writer.key("error")
            writer.beginObject()
            writer.key("code")
            writer.string(error.code)
            writer.key("message")
            writer.string(error.message)
            if let details = error.details {
                writer.key("details")
                writer.beginArray()
                for issue in details {
                    writer.beginObject()
                    writer.key("path")
                    writer.string(issue.path)
                    writer.key("message")
                    writer.string(issue.message)
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.key("correlationId")
            writer.string(correlationID)
            writer.endObject()
            writer.endObject()
        }
    }

    /// Room for `user`'s object (its strings, escaped as most are: once).
    static func room(_ user: UserView) -> Int {
        userRoom + user.name.utf8.count + user.email.utf8.count
    }

    /// Room for `session`'s object.
    static func room(_ session: SessionView) -> Int {
        sessionRoom + (session.userAgent?.utf8.count ?? 0) + (session.ipAddress?.utf8.count ?? 0) + (session.revokeReason?.utf8.count ?? 0)
    }

    /// A user object.
    public static func write(_ user: UserView, into writer: inout JSONWriter<RawBufferSink>) {
        writer.beginObject()
        writer.key("id")
        writer.uuid(user.id)
        writer.key("name")
        writer.string(user.name)
        writer.key("email")
        writer.string(user.email)
        writer.key("createdAt")
        writer.timestamp(user.createdAt)
        writer.endObject()
    }

    /// A session object.
    public static func write(_ session: SessionView, into writer: inout JSONWriter<RawBufferSink>) {
        writer.beginObject()
        writer.key("id")
        writer.uuid(session.id)
        writer.key("sessionId")
        writer.uuid(session.id)
        writer.key("status")
        writer.string(session.status.rawValue)
        writer.key("createdAt")
        writer.timestamp(session.createdAt)
        writer.key("lastSeenAt")
        writer.timestamp(session.lastSeenAt)
        writer.key("userAgent")
        writer.string(orNull: session.userAgent)
        writer.key("ipAddress")
        writer.string(orNull: session.ipAddress)
        writer.key("revokedAt")
        writer.timestamp(orNull: session.revokedAt)
        writer.key("revokeReason")
        writer.string(orNull: session.revokeReason)
        writer.key("current")
        writer.bool(session.isCurrent)
        writer.endObject()
    }
}
