import Foundation
import JSON

/// Reads the claims of a JWT payload straight from its decoded bytes with the shared
/// `JSONReader`: no dictionary, no String per member; keys and values are compared in place.
///
/// The claims rules live here: the payload is one object with at least one member; the
/// registered claims `sub`, `sid`, `jti` and `typ` are strings without escapes in their
/// canonical forms, `iss` and `aud` strings (compared decoded), `iat` and `exp` integers; none
/// may repeat; a key written with escapes is never a registered claim. Any JSON error, a
/// repeated or mistyped registered claim, or a missing one makes the result nil.
enum ClaimsScanner {
    /// What was found besides the claims themselves.
    struct Result {
        var claims: TokenClaims
        var issuerMatches: Bool
        var audienceMatches: Bool
    }

    /// Unknown claims may nest this deep, counting the payload object itself.
    static let maximumDepth = 17

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, issuer: [UInt8], audience: [UInt8]) -> Result? {
        var reader = JSONReader(UnsafeRawBufferPointer(bytes), maximumDepth: maximumDepth)
        do {
            return try read(&reader, issuer: issuer, audience: audience)
        } catch {
            return nil
        }
    }

    private static func read(_ reader: inout JSONReader, issuer: [UInt8], audience: [UInt8]) throws(JSONSyntaxError) -> Result? {
        var subject: UUID?, session: UUID?, tokenID: TokenID?, kind: TokenKind?, iat: Int64?, exp: Int64?
        var issuerMatches: Bool?, audienceMatches: Bool?
        try reader.enterObject()
        guard var key = try reader.nextMemberKey() else { return nil }   // no claims at all
        while true {
            switch Claim(key) {
            case .sub:
                guard subject == nil, let value = try canonicalString(&reader), let v = UUID(canonical: value) else { return nil }
                subject = v
            case .sid:
                guard session == nil, let value = try canonicalString(&reader), let v = UUID(canonical: value) else { return nil }
                session = v
            case .jti:
                guard tokenID == nil, let value = try canonicalString(&reader), let v = TokenID(encoded: value) else { return nil }
                tokenID = v
            case .typ:
                guard kind == nil, let value = try canonicalString(&reader) else { return nil }
                if value.elementsEqual("access".utf8) { kind = .access } else if value.elementsEqual("refresh".utf8) { kind = .refresh } else { return nil }
            case .iss:
                guard issuerMatches == nil, reader.nextValueKind() == .string else { return nil }
                issuerMatches = try reader.readString().equals(issuer)
            case .aud:
                guard audienceMatches == nil, reader.nextValueKind() == .string else { return nil }
                audienceMatches = try reader.readString().equals(audience)
            case .iat:
                guard iat == nil, let v = try integer(&reader) else { return nil }
                iat = v
            case .exp:
                guard exp == nil, let v = try integer(&reader) else { return nil }
                exp = v
            case .other:
                try reader.skipValue()
            }
            guard let next = try reader.nextMemberKey() else { break }
            key = next
        }
        try reader.expectEnd()
        guard let subject, let session, let tokenID, let kind, let iat, let exp else { return nil }
        return Result(claims: TokenClaims(subject: subject, session: session, tokenID: tokenID, kind: kind, issuedAt: iat, expiresAt: exp),
                      issuerMatches: issuerMatches ?? false, audienceMatches: audienceMatches ?? false)
    }

    /// The bytes of a string value written without escapes (as we issue ids), or nil.
    private static func canonicalString(_ reader: inout JSONReader) throws(JSONSyntaxError) -> UnsafeBufferPointer<UInt8>? {
        guard reader.nextValueKind() == .string else { return nil }
        let value = try reader.readString()
        guard !value.hasEscapes else { return nil }
        return value.bytes.assumingMemoryBound(to: UInt8.self)
    }

    /// An integer NumericDate as we issue them (no fraction, no exponent), or nil.
    private static func integer(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Int64? {
        guard reader.nextValueKind() == .number else { return nil }
        return try reader.readNumber().int64Value
    }

    private enum Claim {
        case sub, sid, jti, typ, iss, aud, iat, exp, other

        init(_ key: JSONRawString) {
            guard !key.hasEscapes, key.bytes.count == 3 else { self = .other; return }
            let b = key.bytes
            switch (b[0], b[1], b[2]) {
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
}
