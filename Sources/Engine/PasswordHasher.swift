import CSodium

/// libsodium's initialisation, run once (Swift initialises globals lazily and exactly once).
private let sodiumReady: Bool = sodium_init() >= 0

/// Argon2id hashing and verification as standard PHC strings, through libsodium's
/// `crypto_pwhash` family (block filling with SSE/AVX2/AVX-512 chosen at run time). Blocking
/// CPU work: only ever called on a `HashPool` thread, never on a shard actor or an event loop.
///
/// libsodium hashes with one lane only (p = 1), so the configuration refuses p > 1. It
/// verifies any Argon2id v=19 PHC string, lanes included (filled one after another: the
/// same memory x passes of work), so hashes written by libargon2 before issue 18, at p > 1
/// too, keep verifying and are rehashed at p = 1 on the next successful login.
public struct PasswordHasher: Sendable {
    public let parameters: Argon2Parameters

    public init(parameters: Argon2Parameters) {
        precondition(sodiumReady, "sodium_init failed")
        precondition(parameters.parallelism == Argon2Parameters.supportedParallelism,
                     "libsodium's Argon2id hashes with p = 1 only (configured p = \(parameters.parallelism))")
        self.parameters = parameters
    }

    /// A fresh PHC string for `password`: 16-byte random salt (libsodium's CSPRNG), 32-byte hash.
    public func hash(_ password: String) -> String {
        var encoded = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let status = password.withCString { pwd in
            crypto_pwhash_str_alg(&encoded, pwd, UInt64(password.utf8.count), UInt64(parameters.iterations),
                                  parameters.memoryKiB * 1024, crypto_pwhash_ALG_ARGON2ID13)
        }
        precondition(status == 0, "crypto_pwhash_str_alg failed (out of memory?)")
        return String(decoding: encoded.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches the PHC string (constant time inside libsodium). Only
    /// Argon2id strings are accepted, as before: the algorithm is pinned, never read from the hash.
    public func verify(_ password: String, against phc: String) -> Bool {
        phc.withCString { encoded in
            password.withCString { pwd in
                crypto_pwhash_argon2id_str_verify(encoded, pwd, UInt64(password.utf8.count)) == 0
            }
        }
    }

    /// Whether a stored hash was made with other parameters than the configured ones (our own
    /// comparison: libsodium's `crypto_pwhash_str_needs_rehash` ignores p).
    public func needsRehash(_ phc: String) -> Bool {
        Argon2Parameters(phc: phc) != parameters
    }
}
