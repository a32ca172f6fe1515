import Foundation
import JSON

/// Encodes and parses the compact JWS form of authd's tokens.
///
/// The algorithm is pinned per token family by its `TokenKeyRing`: a header is matched to one
/// of the ring's keys (by exact bytes, else by `alg` and `kid`) before any signature work, so
/// `alg: none`, another algorithm, or an unknown `kid` is refused without touching the key.
/// Parsing needs no key, so the router can read `sub` to pick the shard; signing and
/// verification need the shard's ring.
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

    /// A token split into its parts, signature not yet checked.
    struct Parsed: Sendable {
        var claims: TokenClaims
        var issuerMatches: Bool
        var audienceMatches: Bool
        /// The token itself: its first `headerLength` bytes are the header segment, its first
        /// `signingInputLength` bytes what the signature covers, the signature follows the second dot.
        var token: String
        var headerLength: Int
        var signingInputLength: Int
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
    }

    /// Encodes `claims` and signs them with `key` (its header names the key's `alg` and `kid`).
    func encode(_ claims: TokenClaims, key: TokenKey) -> String {
        // The claims JSON on the stack: its longest form is the fixed part (keys, two ids, the
        // jti, the kind, two 64-bit numbers: under 256 bytes) plus the issuer and audience, each
        // at most six bytes per byte escaped; so it always fits.
        let room = 256 + 6 * (issuer.utf8.count + audience.utf8.count)
        return withUnsafeTemporaryAllocation(byteCount: room, alignment: 1) { memory in
            var payload = RawBufferSink(memory)
            payload.append(#"{"sub":""#)
            claims.subject.withLowercased { payload.append(bytes: UnsafeRawBufferPointer($0)) }
            payload.append(#"","sid":""#)
            claims.session.withLowercased { payload.append(bytes: UnsafeRawBufferPointer($0)) }
            payload.append(#"","jti":""#)
            claims.tokenID.withEncoded { payload.append(bytes: $0) }
            payload.append(#"","typ":""#)
            payload.appendUnescaped(claims.kind.rawValue)   // a small string: its bytes sit in the value, no heap
            payload.append(#"","iss":"#)
            payload.appendJSONString(issuer)
            payload.append(#","aud":"#)
            payload.appendJSONString(audience)
            payload.append(#","iat":"#)
            payload.appendJSONInteger(claims.issuedAt)
            payload.append(#","exp":"#)
            payload.appendJSONInteger(claims.expiresAt)
            payload.append(UInt8(ascii: "}"))
            precondition(!payload.overflowed, "token claims outgrew their bound")
            return sign(UnsafeRawBufferPointer(rebasing: memory[..<payload.count]), key: key)
        }
    }

    /// `header.payload.signature` for the claims JSON `payload`, written once into the string's own storage.
    private func sign(_ payload: UnsafeRawBufferPointer, key: TokenKey) -> String {
        let signatureLength = key.algorithm.signatureLength
        let capacity = key.header.count + 1 + Base64URL.encodedLength(payload.count) + 1 + Base64URL.encodedLength(signatureLength)
        return String(unsafeUninitializedCapacity: capacity) { text in
            let out = UnsafeMutableRawBufferPointer(text)
            var written = key.header.withUnsafeBytes { header in
                out.copyMemory(from: header)
                return header.count
            }
            out[written] = UInt8(ascii: ".")
            written += 1
            written += Base64URL.encode(payload, into: UnsafeMutableRawBufferPointer(rebasing: out[written...]))
            let signingInput = UnsafeRawBufferPointer(rebasing: out[..<written])
            out[written] = UInt8(ascii: ".")
            written += 1
            written += withUnsafeTemporaryAllocation(of: UInt8.self, capacity: signatureLength) { signature in
                key.sign(signingInput, into: signature.baseAddress!)
                return Base64URL.encode(UnsafeRawBufferPointer(signature), into: UnsafeMutableRawBufferPointer(rebasing: out[written...]))
            }
            return written
        }
    }

    /// Splits and decodes a token without heap work beyond the result: the payload is
    /// decoded into a stack buffer and its claims read in place. The header is matched to a
    /// key, and issuer, audience and expiry checked, by `verify`.
    func parse(_ token: String) -> Result<Parsed, ParseError> {
        var text = token
        return text.withUTF8 { utf8 -> Result<Parsed, ParseError> in
            guard utf8.count <= 4096,
                  let firstDot = Self.dot(in: utf8, from: 0), firstDot > 0,
                  let secondDot = Self.dot(in: utf8, from: firstDot + 1),
                  Self.dot(in: utf8, from: secondDot + 1) == nil
            else { return .failure(.malformed) }
            let payload = UnsafeBufferPointer(rebasing: utf8[(firstDot + 1)..<secondDot])
            // 32-byte (HS256) or 64-byte (EdDSA, ES256) signatures only.
            let signatureLength = utf8.count - secondDot - 1
            guard signatureLength == 43 || signatureLength == 86 else { return .failure(.malformed) }
            let scanned: ClaimsScanner.Result? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: payload.count * 3 / 4 + 3) { buffer in
                guard let length = Base64URL.decode(payload, into: buffer) else { return nil }
                return ClaimsScanner.scan(UnsafeBufferPointer(rebasing: buffer[..<length]), issuer: issuerBytes, audience: audienceBytes)
            }
            guard let scanned else { return .failure(.malformed) }
            return .success(Parsed(claims: scanned.claims, issuerMatches: scanned.issuerMatches, audienceMatches: scanned.audienceMatches,
                                   token: token, headerLength: firstDot, signingInputLength: secondDot))
        }
    }

    /// The index of the first `.` at or after `start` (memchr: a token is a few hundred bytes
    /// and is split on every authenticated request).
    private static func dot(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + start, Int32(UInt8(ascii: ".")), bytes.count - start)
        else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// What a parsed token lacks to be accepted.
    enum VerificationFailure: Error, Equatable {
        /// The header does not decode, or has `crit` or a `typ` other than JWT.
        case malformedHeader
        /// The header names another algorithm than the family's pinned one (`none` included).
        case algorithmNotAllowed
        /// The header's `kid` is none of the family's keys (or it has none, where one is required).
        case unknownKey
        case badSignature
        case wrongKind
        case wrongIssuerOrAudience
        case notYetValid
        case expired
    }

    /// Picks the key the header names from `keys`, then checks the signature, kind, issuer,
    /// audience, and time window with `leeway` seconds.
    func verify(_ parsed: Parsed, expecting kind: TokenKind, keys: TokenKeyRing, now: Int64, leeway: Int64) -> VerificationFailure? {
        var text = parsed.token
        let checked = text.withUTF8 { utf8 -> VerificationFailure? in
            let key: TokenKey
            switch keys.key(forHeader: UnsafeBufferPointer(rebasing: utf8[..<parsed.headerLength])) {
            case .success(let found): key = found
            case .failure(let failure): return failure
            }
            let signatureText = UnsafeBufferPointer(rebasing: utf8[(parsed.signingInputLength + 1)...])
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 66) { buffer -> VerificationFailure? in
                guard let length = Base64URL.decode(signatureText, into: buffer), length == key.algorithm.signatureLength else {
                    return .badSignature
                }
                let input = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[..<parsed.signingInputLength])
                return key.verify(input, signature: UnsafeBufferPointer(rebasing: buffer[..<length])) ? nil : .badSignature
            }
        }
        if let checked { return checked }
        return checkClaims(parsed, expecting: kind, now: now, leeway: leeway)
    }

    /// The checks of `verify` after the signature: kind, issuer and audience, and the time
    /// window. Alone it is only enough for bytes whose signature was verified before
    /// (`AccessCache`).
    func checkClaims(_ parsed: Parsed, expecting kind: TokenKind, now: Int64, leeway: Int64) -> VerificationFailure? {
        if parsed.claims.kind != kind { return .wrongKind }
        if !parsed.issuerMatches || !parsed.audienceMatches { return .wrongIssuerOrAudience }
        if parsed.claims.issuedAt > now + leeway { return .notYetValid }
        if parsed.claims.expiresAt + leeway <= now { return .expired }
        return nil
    }
}
