import JSON
import NIOCore

/// Encodes HTTP/1.1 requests for one target straight into `ByteBuffer`s.
///
/// Requests that never change (health, `me` with a fixed token, login for a fixed
/// user) are encoded once before the run and re-sent as the same buffer; requests
/// whose body changes (refresh with the last rotated token, register with a fresh
/// email) are encoded per send by the shared `JSONWriter` straight into the buffer:
/// no `Codable`, no dictionaries and no intermediate `String`.
struct RequestEncoder: Sendable {
    /// Value of the `Host` header, e.g. `127.0.0.1:3000`.
    let hostHeader: String
    /// Path prefix of the target (from `--url http://h:p/prefix`), without trailing slash.
    let basePath: String

    init(hostHeader: String, basePath: String = "") {
        self.hostHeader = hostHeader
        self.basePath = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
    }

    /// `GET path` with an optional bearer token.
    func get(_ path: String, bearer: String? = nil) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(96 + path.utf8.count + (bearer?.utf8.count ?? 0))
        writeHead(into: &b, method: "GET", path: path)
        if let bearer { writeBearer(into: &b, bearer) }
        b.writeStaticString("\r\n")
        return b
    }

    /// `POST path` with a JSON object body of string members, written by the shared
    /// `JSONWriter` straight into the buffer: no intermediate `String` per request (the
    /// refresh loop sends one per answer). The body is written twice, once to count it.
    func postJSON(_ path: String, fields: KeyValuePairs<StaticString, String>, bearer: String? = nil) -> ByteBuffer {
        var counter = JSONWriter(into: ByteCountSink())
        Self.writeObject(fields, into: &counter)
        let bodyLength = counter.sink.count
        var b = ByteBuffer()
        b.reserveCapacity(160 + path.utf8.count + bodyLength + (bearer?.utf8.count ?? 0))
        writeHead(into: &b, method: "POST", path: path)
        if let bearer { writeBearer(into: &b, bearer) }
        b.writeStaticString("Content-Type: application/json\r\nContent-Length: ")
        b.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { memory in
            var digits = RawBufferSink(memory)
            digits.appendJSONInteger(Int64(bodyLength))
            return digits.count
        }
        b.writeStaticString("\r\n\r\n")
        b.writeWithUnsafeMutableBytes(minimumWritableBytes: bodyLength) { memory in
            var writer = JSONWriter(into: RawBufferSink(memory))
            Self.writeObject(fields, into: &writer)
            precondition(writer.sink.count == bodyLength, "the body changed between its count and its write")
            return writer.sink.count
        }
        return b
    }

    private static func writeObject<Sink: JSONSink>(_ fields: KeyValuePairs<StaticString, String>, into writer: inout JSONWriter<Sink>) {
        writer.beginObject()
        for (name, value) in fields {
            writer.key(name)
            writer.string(value)
        }
        writer.endObject()
    }

    /// `POST /v1/auth/register` for the given identity.
    func register(name: String, email: String, password: String) -> ByteBuffer {
        postJSON("/v1/auth/register", fields: ["name": name, "email": email, "password": password])
    }

    /// `POST /v1/auth/sessions` (login).
    func login(email: String, password: String) -> ByteBuffer {
        postJSON("/v1/auth/sessions", fields: ["email": email, "password": password])
    }

    /// `POST /v1/auth/tokens/refresh` with the given refresh token.
    func refresh(token: String) -> ByteBuffer {
        postJSON("/v1/auth/tokens/refresh", fields: ["refreshToken": token])
    }

    /// `GET /v1/auth/me` with the given access token.
    func me(accessToken: String) -> ByteBuffer {
        get("/v1/auth/me", bearer: accessToken)
    }

    private func writeHead(into b: inout ByteBuffer, method: StaticString, path: String) {
        b.writeStaticString(method)
        b.writeStaticString(" ")
        b.writeString(basePath)
        b.writeString(path)
        b.writeStaticString(" HTTP/1.1\r\nHost: ")
        b.writeString(hostHeader)
        b.writeStaticString("\r\n")
    }

    private func writeBearer(into b: inout ByteBuffer, _ token: String) {
        b.writeStaticString("Authorization: Bearer ")
        b.writeString(token)
        b.writeStaticString("\r\n")
    }
}
