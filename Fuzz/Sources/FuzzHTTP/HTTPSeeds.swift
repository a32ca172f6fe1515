/// The HTTP target's seed corpus: one request of every route, bodies valid and not, pipelining,
/// chunked bodies, `Expect: 100-continue`, HTTP/1.0, an oversized body.
enum HTTPSeeds {
    static func post(_ path: String, _ body: String, extra: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static let login = post("/v1/auth/sessions", #"{"email":"fuzz@example.com","password":"fuzz password 1"}"#)

    static let texts: [(String, String)] = [
        ("register", post("/v1/auth/register", #"{"name":"A B","email":"a\u00e9@example.com","password":"long enough pw 1"}"#)),
        ("register-invalid", post("/v1/auth/register", #"{"name":1,"email":"nope","password":"x","extra":[1,2,{"a":null}]}"#)),
        ("login", login),
        ("login-wrong", post("/v1/auth/sessions", #"{"email":"fuzz@example.com","password":"wrong"}"#)),
        ("refresh", post("/v1/auth/tokens/refresh", #"{"refreshToken":"eyJhbGciOiJIUzI1NiJ9.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)),
        ("logout", post("/v1/auth/sessions/current/revoke", #"{"refreshToken":"x.y.z"}"#)),
        ("me", "GET /v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n\r\n"),
        ("sessions", "GET /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n"),
        ("delete-session", "DELETE /v1/auth/sessions/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: x\r\nAuthorization: bearer a.b.c\r\n\r\n"),
        ("delete-all", "DELETE /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n"),
        ("health-ready-pipelined", "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /ready HTTP/1.1\r\nHost: x\r\n\r\nHEAD /health HTTP/1.1\r\n\r\n"),
        ("docs", "GET /docs.json HTTP/1.0\r\n\r\n"),
        ("jwks", "GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ("metrics", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("chunked", "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ema\r\n3\r\nil\"\r\n0\r\n\r\n"),
        ("continue", post("/v1/auth/register", #"{"name":"C","email":"c@example.com","password":"long enough pw 1"}"#, extra: "Expect: 100-continue\r\n")),
        ("too-large", "POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{"),
        ("wrong-type", "POST /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"),
        ("not-found-method", "PUT /v1/auth/sessions HTTP/1.1\r\nHost: x\r\nX-Correlation-Id: abc-123\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n"),
        ("json-deep", post("/v1/auth/sessions", String(repeating: "[", count: 200) + String(repeating: "]", count: 200))),
        ("json-escapes", post("/v1/auth/sessions", #"{"email":"\ud83d\ude00\u0000\"\\\/\b\f\n\r\t","password":1e999,"email":"dup"}"#)),
    ]

    static var all: [(name: String, selector: UInt8, bytes: [UInt8])] {
        texts.enumerated().map { (index, seed) in (seed.0, UInt8(index % 4), Array(seed.1.utf8)) }
    }
}
