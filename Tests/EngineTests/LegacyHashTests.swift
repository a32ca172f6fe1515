import Testing
@testable import Engine

/// Hashes written before the move to libsodium (issue 18) keep verifying, and a login with
/// one moves the user to the configured cost.
///
/// The fixtures were generated before the switch, on commit fee9acc:
/// - `currentBuild`: the engine's own `PasswordHasher` of that build (libargon2 0~20171227,
///   `argon2id_hash_encoded`, 16-byte random salt, 32-byte hash), one hash per parameter set,
///   p = 2, 4 and 8 included (the configuration accepted ARGON2_PARALLELISM up to 255 then);
/// - `libargon2Direct`: Debian's libargon2 called from C with `argon2id_hash_encoded` and
///   fixed salts, with salt and output lengths authd never wrote (8 and 32-byte salts, 16 and
///   64-byte hashes), so any standard PHC string from another libargon2 user verifies too.
struct LegacyHash: Sendable, CustomTestStringConvertible {
    let password: String
    let phc: String

    /// The password with its last character changed (not one longer: the longest is at the login limit).
    var wrongPassword: String { password.dropLast() + "!" }

    var testDescription: String { phc.split(separator: "$").dropLast(2).joined(separator: "$") }

    static let passwords = [
        "correct horse battery staple",
        "pässwörd ✓ 密码 🔑",
        String(repeating: "x", count: 128),
        String(repeating: "é", count: 512),   // 1,024 bytes: the login limit
    ]

    static let currentBuild: [LegacyHash] = [
        (0, "$argon2id$v=19$m=8,t=1,p=1$CyHQBDskJ06eF34UiLxeyw$/GNhxZuVAgpNtJT6NLZRRnr+8WBSsOPP7M8zoikuCYo"),
        (1, "$argon2id$v=19$m=64,t=1,p=1$KjpfYz31nWyyy+VJ/6VY4w$hcWLYpay2hvRvhNQdwvdMpXaq0DfaEmA0mB/vOZlCwo"),
        (2, "$argon2id$v=19$m=128,t=2,p=1$8F2AbpWr2Tpdy6LNG+nJoQ$XKfPJhCxb7xV4l0q7sFZE1t3pOs/XAgoIymEyBX7Q7E"),
        (3, "$argon2id$v=19$m=1024,t=3,p=1$PJPcOh7sa+cmkRdfhUJFIQ$s3+B8l2YKSGmeiizxDRK16EDQQ7PeUu8Zsi83yhUsLg"),
        (0, "$argon2id$v=19$m=19456,t=2,p=1$2Nq7HQz9VeziNOD98uCnnA$ej1U9Mv9b5EjFPT3kv7KtBdoi7AJmocYuPPKL0uUwqg"),
        (1, "$argon2id$v=19$m=256,t=1,p=2$qwvIS4+QTw0YZSHTYuKEjA$66W3bLwBQzVhaLQ7dMrebw/mo518HPHOlk+nfy2t5L0"),
        (2, "$argon2id$v=19$m=512,t=2,p=4$U7CvaAJir9S5D1T2rRws8w$lyUIJE2dx3JpCMCv5YIBwP2oSEg+/yfHprEHDl6DdeY"),
        (3, "$argon2id$v=19$m=64,t=1,p=8$zwZV22ouyAxmB5w1JCRNvQ$YrJrJYy/lErWaRBC8AAql5StjRZRPygqLpBkOefYq+c"),
    ].map { LegacyHash(password: passwords[$0.0], phc: $0.1) }

    static let libargon2Direct: [LegacyHash] = [
        (0, "$argon2id$v=19$m=64,t=1,p=1$AAECAwQFBgc$kL6a22+4zLnpt4WPiWs/VWmzXx566p85dsoS/bQDIag"),
        (1, "$argon2id$v=19$m=256,t=2,p=1$HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4$S0LCqEt20GMNRkYpSDuzICYrh9q26oilLBbPjGWCayM"),
        (0, "$argon2id$v=19$m=128,t=1,p=1$Pj9AQUJDREVGR0hJSktMTQ$ihe44iviedzePxkgJ/itUw"),
        (1, "$argon2id$v=19$m=128,t=1,p=1$XV5fYGFiY2RlZmdoaWprbA$kan87n508RAE6Tu40wpbv7HxA4W1Gk/2Dj/Upqz/cRnLSTgDSHC+MDRmB2rqMCHhKa+S1ApoLD3FZO5eUj6NIQ"),
        (0, "$argon2id$v=19$m=1024,t=2,p=2$fH1+f4CBgoOEhYaHiImKiw$rZIe5gZTwjAQSnLpneP0+OA5oDb0hIP6QGSTAR2Tb3o"),
        (1, "$argon2id$v=19$m=4096,t=3,p=1$m5ydnp+goaKjpKWmp6ipqg$e/y9IKAp2BmPt6xqOumfNlhzL+oD6SA+4irbM/8m1kE"),
    ].map { LegacyHash(password: ["correct horse battery staple", "pässwort 12345"][$0.0], phc: $0.1) }

    static let all = currentBuild + libargon2Direct
}

@Suite struct LegacyHashTests {
    @Test(arguments: LegacyHash.all)
    func everyHashWrittenBeforeStillVerifies(_ legacy: LegacyHash) {
        let hasher = PasswordHasher(parameters: Argon2Parameters())
        #expect(hasher.verify(legacy.password, against: legacy.phc))
        #expect(!hasher.verify(legacy.wrongPassword, against: legacy.phc))
        #expect(!hasher.verify("", against: legacy.phc))
    }

    @Test(arguments: LegacyHash.all)
    func aLoginWithAnOldHashIsRehashedAtTheConfiguredCost(_ legacy: LegacyHash) async throws {
        let engine = makeEngine()   // m = 64 KiB, t = 1, p = 1
        let email = "legacy@example.com"
        let route = ShardRoute.route(email: email)
        _ = try await engine.shard(for: route).register(name: "Legacy", email: email, passwordHash: legacy.phc, route: route)

        #expect(await authError { try await engine.loginUser(email, password: legacy.wrongPassword) } == .invalidCredentials)
        _ = try await engine.loginUser(email, password: legacy.password)
        let stored = await engine.shard(for: route).credentials(email: email)!.1
        #expect(Argon2Parameters(phc: stored) == Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1))
        #expect((stored == legacy.phc) == (Argon2Parameters(phc: legacy.phc) == engine.hasher.parameters))
        _ = try await engine.loginUser(email, password: legacy.password)
        #expect(await authError { try await engine.loginUser(email, password: "wrong password") } == .invalidCredentials)
    }
}
