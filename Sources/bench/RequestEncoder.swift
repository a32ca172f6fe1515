import NIOCore

/// Encodes HTTP/1.1 requests for one target straight into `ByteBuffer`s.
///
/// Requests that never change (health, `me` with a fixed token, login for a fixed
/// user) are encoded once before the run and re-sent as the same buffer; requests
/// whose body changes (refresh with the last rotated token, register with a fresh
/// email) are encoded per send with a handful of `writeString` calls, no JSON
/// encoder and no dictionaries.
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

    /// `POST path` with a JSON body given as already-encoded UTF-8 text.
    func postJSON(_ path: String, body: String, bearer: String? = nil) -> ByteBuffer {
        var b = ByteBuffer()
        b.reserveCapacity(160 + path.utf8.count + body.utf8.count + (bearer?.utf8.count ?? 0))
        writeHead(into: &b, method: "POST", path: path)
        if let bearer { writeBearer(into: &b, bearer) }
        b.writeStaticString("Content-Type: application/json\r\nContent-Length: ")
        b.writeString(String(body.utf8.count))
        b.writeStaticString("\r\n\r\n")
        b.writeString(body)
        return b
    }

    /// `POST /v1/auth/register` for the given identity.
    func register(name: String, email: String, password: String) -> ByteBuffer {
        postJSON("/v1/auth/register", body: #"{"name":"# + Self.quote(name) + #","email":"# + Self.quote(email)
            + #","password":"# + Self.quote(password) + "}")
    }

    /// `POST /v1/auth/sessions` (login).
    func login(email: String, password: String) -> ByteBuffer {
        postJSON("/v1/auth/sessions", body: #"{"email":"# + Self.quote(email) + #","password":"# + Self.quote(password) + "}")
    }

    /// `POST /v1/auth/tokens/refresh` with the given refresh token.
    func refresh(token: String) -> ByteBuffer {
        postJSON("/v1/auth/tokens/refresh", body: #"{"refreshToken":"# + Self.quote(token) + "}")
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

    /// A JSON string literal (with quotes) for `s`, escaping what JSON requires.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
    }
}
