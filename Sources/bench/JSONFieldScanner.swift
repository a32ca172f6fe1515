import NIOCore

/// Pulls one string field out of a small JSON response body without a JSON decoder.
///
/// The refresh loop must read the rotated `refreshToken` from every answer; a full
/// decode (Foundation's `JSONSerialization`) costs more than the request itself.
/// The scanner finds the first `"name"` key followed by `:` and a string value, at
/// any depth, and unescapes the simple JSON escapes. This is enough for the auth
/// API's answers, whose keys are unique where it is used (`accessToken`,
/// `refreshToken`, `code`).
enum JSONFieldScanner {
    /// The string value of the first key `name` in `body`, or nil if absent or not a string.
    static func string(_ name: String, in body: ByteBuffer) -> String? {
        let key = Array(("\"" + name + "\"").utf8)
        return body.withUnsafeReadableBytes { p -> String? in
            let n = p.count
            var i = 0
            outer: while i + key.count <= n {
                for k in 0..<key.count where p[i + k] != key[k] {
                    i += 1
                    continue outer
                }
                var j = i + key.count
                while j < n && isSpace(p[j]) { j += 1 }
                guard j < n, p[j] == UInt8(ascii: ":") else { i += 1; continue }
                j += 1
                while j < n && isSpace(p[j]) { j += 1 }
                guard j < n, p[j] == UInt8(ascii: "\"") else { return nil }
                j += 1
                var bytes: [UInt8] = []
                while j < n {
                    let c = p[j]
                    if c == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
                    if c == UInt8(ascii: "\\") {
                        guard j + 1 < n else { return nil }
                        let e = p[j + 1]
                        switch e {
                        case UInt8(ascii: "n"): bytes.append(10)
                        case UInt8(ascii: "t"): bytes.append(9)
                        case UInt8(ascii: "r"): bytes.append(13)
                        case UInt8(ascii: "b"): bytes.append(8)
                        case UInt8(ascii: "f"): bytes.append(12)
                        case UInt8(ascii: "u"):
                            guard j + 5 < n, let v = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: p[(j + 2)..<(j + 6)]), as: UTF8.self), radix: 16),
                                  let scalar = Unicode.Scalar(v)
                            else { return nil }
                            bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                            j += 4
                        default: bytes.append(e)
                        }
                        j += 2
                        continue
                    }
                    bytes.append(c)
                    j += 1
                }
                return nil
            }
            return nil
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
}
