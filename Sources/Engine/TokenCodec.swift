import Foundation

/// Encodes and parses the compact JWS form of authd's HS256 tokens.
///
/// The algorithm is pinned: a header that names anything but HS256 (including `none`) is
/// rejected before any signature work. Signing and verification need a shard's
/// `HMACSigner`; parsing does not, so the router can read `sub` to pick the shard.
struct TokenCodec: Sendable {
    let issuer: String
    let audience: String
    private let issuerBytes: [UInt8]
    private let audienceBytes: [UInt8]

    init(issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
        issuerBytes = Array(issuer.utf8)
        audienceBytes = Array(audience.utf8)
    }

    /// `{"alg":"HS256","typ":"JWT"}` in base64url.
    static let headerSegment: [UInt8] = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A token split into its parts, signature not yet checked.
    struct Parsed: Sendable {
        var claims: TokenClaims
        var issuerMatches: Bool
        var audienceMatches: Bool
        /// The token itself; its first `signingInputLength` bytes are what the MAC covers.
        var token: String
        var signingInputLength: Int
        var signature: MAC256
    }

    /// A 32-byte HMAC-SHA256 value held inline (no heap), compared in constant time.
    struct MAC256: Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        init(_ bytes: UnsafeRawBufferPointer) {
            words = (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }

        /// Constant-time equality: every word is compared whatever the earlier ones were.
        func matches(_ other: MAC256) -> Bool {
            ((words.0 ^ other.words.0) | (words.1 ^ other.words.1) | (words.2 ^ other.words.2) | (words.3 ^ other.words.3)) == 0
        }
    }

    enum ParseError: Error, Equatable {
        case malformed
        case algorithmNotAllowed
    }

    /// Encodes and signs `claims`.
    func encode(_ claims: TokenClaims, signer: HMACSigner) -> String {
        var payload = [UInt8]()
        payload.reserveCapacity(200)
        payload.append(contentsOf: #"{"sub":""#.utf8)
        claims.subject.appendLowercased(to: &payload)
        payload.append(contentsOf: #"","sid":""#.utf8)
        claims.session.appendLowercased(to: &payload)
        payload.append(contentsOf: #"","jti":""#.utf8)
        payload.append(contentsOf: claims.tokenID.encoded)
        payload.append(contentsOf: #"","typ":""#.utf8)
        payload.append(contentsOf: claims.kind.rawValue.utf8)
        payload.append(contentsOf: #"","iss":"#.utf8)
        JSONText.appendString(issuer, to: &payload)
        payload.append(contentsOf: #","aud":"#.utf8)
        JSONText.appendString(audience, to: &payload)
        payload.append(contentsOf: #","iat":"#.utf8)
        JSONText.appendInteger(claims.issuedAt, to: &payload)
        payload.append(contentsOf: #","exp":"#.utf8)
        JSONText.appendInteger(claims.expiresAt, to: &payload)
        payload.append(UInt8(ascii: "}"))

        var token = [UInt8]()
        token.reserveCapacity(Self.headerSegment.count + payload.count * 4 / 3 + 48)
        token.append(contentsOf: Self.headerSegment)
        token.append(UInt8(ascii: "."))
        Base64URL.encode(payload, into: &token)
        var mac = [UInt8](repeating: 0, count: 32)
        token.withUnsafeBytes { input in
            mac.withUnsafeMutableBufferPointer { signer.authenticate(input, into: $0.baseAddress!) }
        }
        token.append(UInt8(ascii: "."))
        Base64URL.encode(mac, into: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// Splits and decodes a token without heap work beyond the result: the payload is
    /// decoded into a stack buffer and its claims read in place. Issuer, audience and expiry
    /// are checked by `verify`.
    func parse(_ token: String) -> Result<Parsed, ParseError> {
        var text = token
        return text.withUTF8 { utf8 -> Result<Parsed, ParseError> in
            guard utf8.count <= 4096,
                  let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
                  let secondDot = utf8[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
                  utf8[(secondDot + 1)...].firstIndex(of: UInt8(ascii: ".")) == nil
            else { return .failure(.malformed) }

            let header = UnsafeBufferPointer(rebasing: utf8[..<firstDot])
            if !header.elementsEqual(Self.headerSegment) {
                if let failure = Self.checkHeader(Array(header)) { return .failure(failure) }
            }
            let payload = UnsafeBufferPointer(rebasing: utf8[(firstDot + 1)..<secondDot])
            let signatureText = UnsafeBufferPointer(rebasing: utf8[(secondDot + 1)...])
            guard signatureText.count == 43 else { return .failure(.malformed) }
            let signature: MAC256? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 33) { buffer in
                guard Base64URL.decode(signatureText, into: buffer) == 32 else { return nil }
                return MAC256(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<32]))
            }
            guard let signature else { return .failure(.malformed) }
            let scanned: ClaimsScanner.Result? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: payload.count * 3 / 4 + 3) { buffer in
                guard let length = Base64URL.decode(payload, into: buffer) else { return nil }
                return ClaimsScanner.scan(UnsafeBufferPointer(rebasing: buffer[..<length]), issuer: issuerBytes, audience: audienceBytes)
            }
            guard let scanned else { return .failure(.malformed) }
            return .success(Parsed(claims: scanned.claims, issuerMatches: scanned.issuerMatches, audienceMatches: scanned.audienceMatches,
                                   token: token, signingInputLength: secondDot, signature: signature))
        }
    }

    /// A header spelled differently from ours: accepted only if it pins HS256 and nothing odd.
    private static func checkHeader(_ segment: [UInt8]) -> ParseError? {
        guard let decoded = Base64URL.decode(segment), let object = JSONText.parseFlatObject(decoded) else { return .malformed }
        guard object["alg"] == .string("HS256") else { return .algorithmNotAllowed }
        if let typ = object["typ"], typ != .string("JWT") { return .malformed }
        if object["crit"] != nil { return .malformed }
        return nil
    }

    /// What a parsed token lacks to be accepted.
    enum VerificationFailure: Error, Equatable {
        case badSignature
        case wrongKind
        case wrongIssuerOrAudience
        case notYetValid
        case expired
    }

    /// Checks signature (constant time), kind, issuer, audience, and time window with `leeway` seconds.
    func verify(_ parsed: Parsed, expecting kind: TokenKind, signer: HMACSigner, now: Int64, leeway: Int64) -> VerificationFailure? {
        var text = parsed.token
        let genuine = text.withUTF8 { utf8 -> Bool in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { mac in
                signer.authenticate(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[..<parsed.signingInputLength]), into: mac.baseAddress!)
                return MAC256(UnsafeRawBufferPointer(mac)).matches(parsed.signature)
            }
        }
        if !genuine { return .badSignature }
        if parsed.claims.kind != kind { return .wrongKind }
        if !parsed.issuerMatches || !parsed.audienceMatches { return .wrongIssuerOrAudience }
        if parsed.claims.issuedAt > now + leeway { return .notYetValid }
        if parsed.claims.expiresAt + leeway <= now { return .expired }
        return nil
    }
}
