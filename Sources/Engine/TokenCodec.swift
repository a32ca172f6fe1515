import Foundation

/// Encodes and parses the compact JWS form of authd's HS256 tokens.
///
/// The algorithm is pinned: a header that names anything but HS256 (including `none`) is
/// rejected before any signature work. Signing and verification need a shard's
/// `HMACSigner`; parsing does not, so the router can read `sub` to pick the shard.
struct TokenCodec: Sendable {
    let issuer: String
    let audience: String

    /// `{"alg":"HS256","typ":"JWT"}` in base64url.
    static let headerSegment: [UInt8] = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A token split into its parts, signature not yet checked.
    struct Parsed {
        var claims: TokenClaims
        var issuer: String?
        var audience: String?
        var signingInput: ArraySlice<UInt8>
        var signature: [UInt8]
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

    /// Splits and decodes a token. Claims of the wrong JSON type or a missing registered
    /// claim make it malformed; issuer, audience and expiry are checked by `verify`.
    func parse<S: StringProtocol>(_ token: S) -> Result<Parsed, ParseError> {
        let bytes = Array(token.utf8)
        guard bytes.count <= 4096,
              let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
              bytes[(secondDot + 1)...].firstIndex(of: UInt8(ascii: ".")) == nil
        else { return .failure(.malformed) }

        let header = bytes[..<firstDot]
        if !header.elementsEqual(Self.headerSegment) {
            // Another encoding of a header: accept only if it pins HS256 and nothing odd.
            guard let decoded = Base64URL.decode(header), let object = JSONText.parseFlatObject(decoded) else {
                return .failure(.malformed)
            }
            guard object["alg"] == .string("HS256") else { return .failure(.algorithmNotAllowed) }
            if let typ = object["typ"], typ != .string("JWT") { return .failure(.malformed) }
            if object["crit"] != nil { return .failure(.malformed) }
        }
        guard let payloadBytes = Base64URL.decode(bytes[(firstDot + 1)..<secondDot]),
              let signature = Base64URL.decode(bytes[(secondDot + 1)...]), signature.count == 32,
              let object = JSONText.parseFlatObject(payloadBytes),
              case .string(let sub)? = object["sub"], let subject = UUID(canonical: sub.utf8),
              case .string(let sid)? = object["sid"], let session = UUID(canonical: sid.utf8),
              case .string(let jti)? = object["jti"], let tokenID = TokenID(encoded: jti.utf8),
              case .string(let typ)? = object["typ"], let kind = TokenKind(rawValue: typ),
              case .integer(let iat)? = object["iat"],
              case .integer(let exp)? = object["exp"]
        else { return .failure(.malformed) }

        var issuer: String? = nil
        if case .string(let iss)? = object["iss"] { issuer = iss }
        var audience: String? = nil
        if case .string(let aud)? = object["aud"] { audience = aud }
        let claims = TokenClaims(subject: subject, session: session, tokenID: tokenID, kind: kind, issuedAt: iat, expiresAt: exp)
        return .success(Parsed(claims: claims, issuer: issuer, audience: audience, signingInput: bytes[..<secondDot], signature: signature))
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
        var mac = [UInt8](repeating: 0, count: 32)
        parsed.signingInput.withUnsafeBytes { input in
            mac.withUnsafeMutableBufferPointer { signer.authenticate(input, into: $0.baseAddress!) }
        }
        var difference: UInt8 = 0
        for i in 0..<32 { difference |= mac[i] ^ parsed.signature[i] }
        if difference != 0 { return .badSignature }
        if parsed.claims.kind != kind { return .wrongKind }
        if parsed.issuer != issuer || parsed.audience != audience { return .wrongIssuerOrAudience }
        if parsed.claims.issuedAt > now + leeway { return .notYetValid }
        if parsed.claims.expiresAt + leeway <= now { return .expired }
        return nil
    }
}
