import Foundation
import JSON

/// One key a shard signs or verifies one token family with: its `kid`, the exact header
/// segment it signs under, and the OpenSSL context (HMAC or asymmetric) that does the work.
///
/// Not thread-safe (it owns OpenSSL contexts): each shard builds its own.
final class TokenKey {
    let kid: String
    let algorithm: SigningAlgorithm
    /// `{"alg":…,"kid":…,"typ":"JWT"}` in base64url: what tokens signed with this key start with.
    let header: [UInt8]
    /// When this key starts signing (ms since the epoch); `Int64.max` for verify-only keys.
    let activatesAt: Int64
    private let hmac: HMACSigner?
    private let asymmetric: AsymmetricSigner?

    /// An HS256 key for a configured secret; its `kid` is derived from the secret (`hmacKeyID`).
    init(secret: [UInt8], signs: Bool) {
        kid = Self.hmacKeyID(secret)
        algorithm = .hs256
        header = Self.headerSegment(algorithm: .hs256, kid: kid)
        activatesAt = signs ? Int64.min : Int64.max
        hmac = HMACSigner(key: secret)
        asymmetric = nil
    }

    /// A key of the engine's state; nil when its bytes do not make a key of its algorithm.
    init?(_ key: SigningKey) {
        guard let signer = AsymmetricSigner(algorithm: key.algorithm, privateKey: key.privateKey) else { return nil }
        kid = key.kid
        algorithm = key.algorithm
        header = Self.headerSegment(algorithm: key.algorithm, kid: key.kid)
        activatesAt = key.activatesAt.milliseconds
        hmac = nil
        asymmetric = signer
    }

    /// The `kid` of an HS256 secret: 12 bytes of HMAC-SHA256(secret, label) in base64url, so a
    /// token names the secret that signed it without revealing anything about it.
    static func hmacKeyID(_ secret: [UInt8]) -> String {
        let mac = HMACSigner(key: secret).authenticate(Array("authd/v1/key-id".utf8))
        return String(decoding: Base64URL.encode(mac.prefix(12)), as: UTF8.self)
    }

    static func headerSegment(algorithm: SigningAlgorithm, kid: String) -> [UInt8] {
        var json = Array(#"{"alg":""#.utf8)
        json.append(contentsOf: algorithm.rawValue.utf8)
        json.append(contentsOf: #"","kid":"#.utf8)
        json.appendJSONString(kid)
        json.append(contentsOf: #","typ":"JWT"}"#.utf8)
        return Base64URL.encode(json)
    }

    /// The signature of `message` into `output` (`algorithm.signatureLength` bytes).
    func sign(_ message: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        if let hmac { hmac.authenticate(message, into: output) } else { asymmetric!.sign(message, into: output) }
    }

    /// Whether `signature` is this key's signature of `message` (constant time for HMAC).
    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeBufferPointer<UInt8>) -> Bool {
        guard signature.count == algorithm.signatureLength else { return false }
        if let asymmetric { return asymmetric.verify(message, signature: signature) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { mac in
            hmac!.authenticate(message, into: mac.baseAddress!)
            return TokenCodec.MAC256(UnsafeRawBufferPointer(mac)).matches(TokenCodec.MAC256(UnsafeRawBufferPointer(signature)))
        }
    }
}

/// The keys of one token family on one shard, all of the family's pinned algorithm: the one
/// that signs now, and every one that may still verify. A token's header picks its key by an
/// exact comparison with each key's header segment (a few bytes each, no allocation); a header
/// spelled otherwise is decoded and matched by `alg` and `kid` (`TokenHeader`).
final class TokenKeyRing {
    let algorithm: SigningAlgorithm
    /// Sorted by `activatesAt`.
    private let keys: [TokenKey]
    /// The HS256 key that also verifies tokens without a `kid` (issued before key ids existed).
    private let legacyKey: TokenKey?

    /// `{"alg":"HS256","typ":"JWT"}`: the header authd signed under before tokens had a `kid`.
    static let legacyHeader: [UInt8] = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// HS256 from configured secrets: `current` signs, `previous` only verify.
    init(secret current: [UInt8], previous: [[UInt8]]) {
        algorithm = .hs256
        let signing = TokenKey(secret: current, signs: true)
        keys = [signing] + previous.map { TokenKey(secret: $0, signs: false) }
        legacyKey = signing
    }

    /// The engine's keys of `algorithm` (keys of any other algorithm are left out).
    init(algorithm: SigningAlgorithm, keys stored: [SigningKey]) {
        self.algorithm = algorithm
        keys = stored.filter { $0.algorithm == algorithm }.compactMap(TokenKey.init).sorted { $0.activatesAt < $1.activatesAt }
        legacyKey = nil
    }

    var isEmpty: Bool { keys.isEmpty }

    var kids: [String] { keys.map(\.kid) }

    /// The key that signs at `now` (ms): the latest activated one.
    func signingKey(at now: Int64) -> TokenKey? {
        var found: TokenKey?
        for key in keys where key.activatesAt <= now && key.activatesAt != .max { found = key }
        return found
    }

    /// The key a token's header segment names, or why there is none.
    func key(forHeader segment: UnsafeBufferPointer<UInt8>) -> Result<TokenKey, TokenCodec.VerificationFailure> {
        for key in keys where Self.equal(segment, key.header) { return .success(key) }
        if let legacyKey, Self.equal(segment, Self.legacyHeader) { return .success(legacyKey) }
        guard let header = TokenHeader(segment: segment) else { return .failure(.malformedHeader) }
        guard header.algorithm == algorithm.rawValue else { return .failure(.algorithmNotAllowed) }
        guard let kid = header.kid else { return legacyKey.map { .success($0) } ?? .failure(.unknownKey) }
        for key in keys where key.kid == kid { return .success(key) }
        return .failure(.unknownKey)
    }
}

extension TokenKeyRing {
    /// Byte equality by `memcmp` (a header segment is about 60 bytes; public data, so not constant time).
    @inline(__always)
    static func equal(_ segment: UnsafeBufferPointer<UInt8>, _ expected: [UInt8]) -> Bool {
        guard segment.count == expected.count else { return false }
        return expected.withUnsafeBufferPointer { memcmp($0.baseAddress!, segment.baseAddress!, segment.count) == 0 }
    }
}

/// A JWS header spelled other than ours, decoded: only `alg`, `kid` and `typ` matter; `crit`
/// (extensions we would have to understand) and a `typ` other than JWT refuse it. The header
/// must be one JSON object whose member names are all different (a repeated `alg` or `typ`
/// must never be ambiguous), read with the shared strict `JSONReader`.
struct TokenHeader {
    var algorithm: String
    var kid: String?

    /// Unknown members may nest this deep, counting the header object itself.
    static let maximumDepth = 17

    init?(segment: UnsafeBufferPointer<UInt8>) {
        guard let decoded = Base64URL.decode(segment) else { return nil }
        let read: (algorithm: String, kid: String?)?? = decoded.withUnsafeBytes { bytes in
            var reader = JSONReader(bytes, maximumDepth: Self.maximumDepth)
            return try? Self.read(&reader)
        }
        guard case let (algorithm, kid)?? = read else { return nil }
        self.algorithm = algorithm
        self.kid = kid
    }

    private static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> (algorithm: String, kid: String?)? {
        var algorithm: String?, kid: String?
        var names: Set<[UInt8]> = []
        try reader.enterObject()
        while let key = try reader.nextMemberKey() {
            guard names.insert(Array(key.decodedBytes)).inserted else { return nil }
            let isString = reader.nextValueKind() == .string
            if key.equals("alg") {
                guard isString else { return nil }
                algorithm = String(try reader.readString())
            } else if key.equals("kid") {
                guard isString else { return nil }
                kid = String(try reader.readString())
            } else if key.equals("typ") {
                guard isString, try reader.readString().equals("JWT") else { return nil }
            } else if key.equals("crit") {
                return nil
            } else {
                try reader.skipValue()
            }
        }
        try reader.expectEnd()
        guard let algorithm else { return nil }
        return (algorithm, kid)
    }
}
