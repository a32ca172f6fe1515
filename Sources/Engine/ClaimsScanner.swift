import Foundation

/// Reads the claims of a JWT payload straight from its decoded bytes: no dictionary, no
/// String per member. Strings without escapes are compared and parsed in place; the rare
/// escaped string goes through the general `JSONText` reader. Any JSON syntax error, a
/// duplicate registered claim, or a registered claim of the wrong type makes it nil.
struct ClaimsScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// What was found besides the claims themselves.
    struct Result {
        var claims: TokenClaims
        var issuerMatches: Bool
        var audienceMatches: Bool
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, issuer: [UInt8], audience: [UInt8]) -> Result? {
        var scanner = ClaimsScanner(bytes)
        return scanner.run(issuer: issuer, audience: audience)
    }

    private mutating func run(issuer: [UInt8], audience: [UInt8]) -> Result? {
        var subject: UUID?, session: UUID?, tokenID: TokenID?, kind: TokenKind?, iat: Int64?, exp: Int64?
        var issuerMatches: Bool?, audienceMatches: Bool?
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return nil }   // no claims at all
        while true {
            skipWhitespace()
            guard let key = readRawString() else { return nil }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            switch Claim(key) {
            case .sub:
                guard subject == nil, let s = readRawString(), !s.escaped, let v = UUID(canonical: s.bytes) else { return nil }
                subject = v
            case .sid:
                guard session == nil, let s = readRawString(), !s.escaped, let v = UUID(canonical: s.bytes) else { return nil }
                session = v
            case .jti:
                guard tokenID == nil, let s = readRawString(), !s.escaped, let v = TokenID(encoded: s.bytes) else { return nil }
                tokenID = v
            case .typ:
                guard kind == nil, let s = readRawString(), !s.escaped else { return nil }
                if s.bytes.elementsEqual("access".utf8) { kind = .access } else if s.bytes.elementsEqual("refresh".utf8) { kind = .refresh } else { return nil }
            case .iss:
                guard issuerMatches == nil, let s = readRawString() else { return nil }
                issuerMatches = s.equals(issuer)
            case .aud:
                guard audienceMatches == nil, let s = readRawString() else { return nil }
                audienceMatches = s.equals(audience)
            case .iat:
                guard iat == nil, let v = readInteger() else { return nil }
                iat = v
            case .exp:
                guard exp == nil, let v = readInteger() else { return nil }
                exp = v
            case .other:
                guard skipValue(depth: 0) else { return nil }
            }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "}")) else { return nil }
            break
        }
        skipWhitespace()
        guard index == bytes.count, let subject, let session, let tokenID, let kind, let iat, let exp else { return nil }
        return Result(claims: TokenClaims(subject: subject, session: session, tokenID: tokenID, kind: kind, issuedAt: iat, expiresAt: exp),
                      issuerMatches: issuerMatches ?? false, audienceMatches: audienceMatches ?? false)
    }

    private enum Claim {
        case sub, sid, jti, typ, iss, aud, iat, exp, other

        init(_ key: RawString) {
            guard !key.escaped, key.bytes.count == 3 else { self = .other; return }
            let b = key.bytes, i = b.startIndex
            switch (b[i], b[i + 1], b[i + 2]) {
            case (0x73, 0x75, 0x62): self = .sub   // sub
            case (0x73, 0x69, 0x64): self = .sid   // sid
            case (0x6A, 0x74, 0x69): self = .jti   // jti
            case (0x74, 0x79, 0x70): self = .typ   // typ
            case (0x69, 0x73, 0x73): self = .iss   // iss
            case (0x61, 0x75, 0x64): self = .aud   // aud
            case (0x69, 0x61, 0x74): self = .iat   // iat
            case (0x65, 0x78, 0x70): self = .exp   // exp
            default: self = .other
            }
        }
    }

    /// The bytes between a string's quotes, escapes not yet decoded.
    struct RawString {
        var bytes: Slice<UnsafeBufferPointer<UInt8>>
        var escaped: Bool

        /// Whether the string's value equals `expected` (decoding escapes only if present).
        func equals(_ expected: [UInt8]) -> Bool {
            if !escaped { return bytes.elementsEqual(expected) }
            var quoted: [UInt8] = [UInt8(ascii: "{"), UInt8(ascii: "\""), UInt8(ascii: "v"), UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")]
            quoted.append(contentsOf: bytes)
            quoted.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "}")])
            guard case .string(let decoded)? = JSONText.parseFlatObject(quoted)?["v"] else { return false }
            return decoded.utf8.elementsEqual(expected)
        }
    }

    @inline(__always) private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    /// A string token, validated (escapes well-formed, no control characters) but not decoded.
    private mutating func readRawString() -> RawString? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let raw = RawString(bytes: bytes[start..<index], escaped: escaped)
                index += 1
                return raw
            }
            if c < 0x20 { return nil }
            if c == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count else { return nil }
                    for k in 1...4 where Base64URL.hexValue(bytes[index + k]) == nil { return nil }
                    index += 5
                default:
                    return nil
                }
                continue
            }
            index += 1
        }
        return nil
    }

    private mutating func readInteger() -> Int64? {
        var negative = false
        if consume(UInt8(ascii: "-")) { negative = true }
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[index] - 0x30))
            guard !o1, !o2 else { return nil }
            value = a
            index += 1
        }
        let digits = index - start
        guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
        // A fraction or exponent is not an integer NumericDate as we issue them.
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
        return negative ? -value : value
    }

    /// Validates and skips any JSON value (for claims we do not use).
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 16, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return readRawString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if consume(close) { return true }
            while true {
                skipWhitespace()
                if isObject {
                    guard readRawString() != nil else { return false }
                    skipWhitespace()
                    guard consume(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(close)
            }
        case UInt8(ascii: "t"): return skipLiteral("true")
        case UInt8(ascii: "f"): return skipLiteral("false")
        case UInt8(ascii: "n"): return skipLiteral("null")
        default: return skipNumber()
        }
    }

    private mutating func skipLiteral(_ literal: String) -> Bool {
        for expected in literal.utf8 {
            guard consume(expected) else { return false }
        }
        return true
    }

    private mutating func skipNumber() -> Bool {
        _ = consume(UInt8(ascii: "-"))
        func digits(_ s: inout ClaimsScanner) -> Int {
            var n = 0
            while s.index < s.bytes.count, s.bytes[s.index] >= 0x30, s.bytes[s.index] <= 0x39 { s.index += 1; n += 1 }
            return n
        }
        let intStart = index
        let intDigits = digits(&self)
        guard intDigits > 0, !(intDigits > 1 && bytes[intStart] == 0x30) else { return false }
        if consume(UInt8(ascii: ".")) { guard digits(&self) > 0 else { return false } }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits(&self) > 0 else { return false }
        }
        return true
    }
}

extension Base64URL {
    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
