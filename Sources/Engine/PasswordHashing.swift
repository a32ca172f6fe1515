/// Password hashing as the engine uses it. `PasswordHasher` (libsodium) is the one real
/// implementation; the protocol lets tests count the hashing work a login does without
/// timing anything.
protocol PasswordHashing: Sendable {
    /// The configured cost: new hashes and the decoy use it.
    var parameters: Argon2Parameters { get }
    /// A fresh PHC string for `password`.
    func hash(_ password: String) -> String
    /// Whether `password` matches the PHC string.
    func verify(_ password: String, against phc: String) -> Bool
}

extension PasswordHasher: PasswordHashing {}
