import NIOCore

/// Encodes HTTP/1.1 requests for one target straight into `ByteBuffer`s.
///
/// Requests that never change (health, `me` with a fixed token, login for a fixed
/// user) are encoded once before the run and re-sent as the same buffer; requests
/// whose body changes (refresh with the last rotated token, register with a fresh
/// email) are encoded per send straight into the buffer: no JSON encoder, no
/// dictionaries and no intermediate `String`.
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

    /// `POST path` with a JSON object body of string members, written straight into the
    /// buffer: no intermediate `String` per request (the refresh loop sends one per answer).
    func postJSON(_ path: String, fields: KeyValuePairs<StaticString, String>, bearer: String? = nil) -> ByteBuffer {
        var bodyLength = 2 + max(0, fields.count - 1)  // braces and commas
        for (name, value) in fields { bodyLength += name.utf8CodeUnitCount + 3 + Self.quotedCount(value) }
        var b = ByteBuffer()
        b.reserveCapacity(160 + path.utf8.count + bodyLength + (bearer?.utf8.count ?? 0))
        writeHead(into: &b, method: "POST", path: path)
        if let bearer { writeBearer(into: &b, bearer) }
        b.writeStaticString("Content-Type: application/json\r\nContent-Length: ")
        Self.writeDecimal(bodyLength, into: &b)
        b.writeStaticString("\r\n\r\n{")
        var first = true
        for (name, value) in fields {
            if !first { b.writeStaticString(",") }
            first = false
            b.writeStaticString("\"")
            b.writeStaticString(name)
            b.writeStaticString("\":")
            Self.writeQuoted(value, into: &b)
        }
        b.writeStaticString("}")
        return b
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

    /// The bytes of the JSON string literal (quotes included) ``writeQuoted(_:into:)`` writes for `s`.
    static func quotedCount(_ s: String) -> Int {
        var count = 2
        for u in s.utf8 { count += escapedCount(u) }
        return count
    }

    /// Writes `s` as a JSON string literal (with quotes), escaping what JSON requires: `"`,
    /// backslash and the control characters; every other UTF-8 byte as it is.
    static func writeQuoted(_ s: String, into b: inout ByteBuffer) {
        b.writeStaticString("\"")
        var s = s
        s.withUTF8 { bytes in
            var plainStart = 0
            for (i, u) in bytes.enumerated() where escapedCount(u) != 1 {
                b.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[plainStart..<i]))
                plainStart = i + 1
                switch u {
                case UInt8(ascii: "\""): b.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): b.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): b.writeStaticString("\\n")
                case UInt8(ascii: "\r"): b.writeStaticString("\\r")
                case UInt8(ascii: "\t"): b.writeStaticString("\\t")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    b.writeStaticString("\\u00")
                    b.writeInteger(hex.utf8Start[Int(u >> 4)])
                    b.writeInteger(hex.utf8Start[Int(u & 0xF)])
                }
            }
            b.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[plainStart...]))
        }
        b.writeStaticString("\"")
    }

    /// A JSON string literal (with quotes) for `s`: what ``writeQuoted(_:into:)`` writes.
    static func quote(_ s: String) -> String {
        var b = ByteBuffer()
        writeQuoted(s, into: &b)
        return String(buffer: b)
    }

    private static func escapedCount(_ u: UInt8) -> Int {
        switch u {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): 2
        case 0..<0x20: 6
        default: 1
        }
    }

    private static func writeDecimal(_ n: Int, into b: inout ByteBuffer) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { out in
            var i = out.count
            var v = n
            repeat {
                i -= 1
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            b.writeBytes(UnsafeRawBufferPointer(rebasing: out[i...]))
        }
    }
}
