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
public enum AuthJSON {
    /// `{"user":...}` (register).
    public static func registered(_ user: UserView, allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 160))
        writer.beginObject()
        writer.key("user")
        write(user, into: &writer)
        writer.endObject()
        return writer.buffer
    }

    /// `{"accessToken","refreshToken","user","session"}` (login, refresh).
    public static func grant(_ grant: TokenGrant, allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 1024))
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
        return writer.buffer
    }

    /// `{"user","session"}` (me).
    public static func me(user: UserView, session: SessionView, allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 512))
        writer.beginObject()
        writer.key("user")
        write(user, into: &writer)
        writer.key("session")
        write(session, into: &writer)
        writer.endObject()
        return writer.buffer
    }

    /// `{"sessions":[...]}` (list).
    public static func sessions(_ sessions: [SessionView], allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 32 + 320 * sessions.count))
        writer.beginObject()
        writer.key("sessions")
        writer.beginArray()
        for session in sessions { write(session, into: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.buffer
    }

    /// `{"error":{"code","message","details"?,"correlationId"}}`.
    public static func errorEnvelope(_ error: APIError, correlationID: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 160))
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
        return writer.buffer
    }

    /// A user object.
    public static func write(_ user: UserView, into writer: inout JSONWriter<ByteBuffer>) {
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
    public static func write(_ session: SessionView, into writer: inout JSONWriter<ByteBuffer>) {
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
