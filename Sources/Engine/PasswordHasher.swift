import CArgon2
import COpenSSL

/// Argon2id hashing and verification as PHC strings (libargon2). Blocking CPU work: only
/// ever called on a `HashPool` thread, never on a shard actor or an event loop.
public struct PasswordHasher: Sendable {
    public let parameters: Argon2Parameters

    public init(parameters: Argon2Parameters) {
        self.parameters = parameters
    }

    /// A fresh PHC string for `password` with a 16-byte random salt.
    public func hash(_ password: String) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        precondition(RAND_bytes(&salt, 16) == 1, "RAND_bytes failed")
        let encodedLength = argon2_encodedlen(UInt32(parameters.iterations), UInt32(parameters.memoryKiB),
                                              UInt32(parameters.parallelism), 16, 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let status = password.utf8CString.withUnsafeBufferPointer { pwd in
            argon2id_hash_encoded(UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
                                  pwd.baseAddress, pwd.count - 1, salt, salt.count, 32, &encoded, encodedLength)
        }
        precondition(status == ARGON2_OK.rawValue, "argon2id_hash_encoded failed: \(status)")
        return String(decoding: encoded.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches the PHC string (constant time inside libargon2).
    public func verify(_ password: String, against phc: String) -> Bool {
        phc.withCString { encoded in
            password.utf8CString.withUnsafeBufferPointer { pwd in
                argon2id_verify(encoded, pwd.baseAddress, pwd.count - 1) == ARGON2_OK.rawValue
            }
        }
    }

    /// Whether a stored hash was made with other parameters than the configured ones.
    public func needsRehash(_ phc: String) -> Bool {
        Argon2Parameters(phc: phc) != parameters
    }
}
