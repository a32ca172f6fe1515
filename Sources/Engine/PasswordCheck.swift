/// The password check of one login, with the same hashing cost whether or not the account
/// exists and whatever cost its stored hash was made with.
///
/// - Unknown email: verify against the decoy (a hash at the configured cost).
/// - Right password: verify; if the stored hash has other parameters than the configured
///   ones, rehash at the configured cost (stored with the new session).
/// - Wrong password against a stored hash *cheaper* than the configured cost (a user who has
///   not logged in since the cost was raised): verify, then also verify against the decoy,
///   so the answer costs at least as much as an unknown email's. Without this, a fast 401
///   would tell an attacker the account exists.
///
/// Every path therefore runs one operation at the configured cost; a cheaper stored hash
/// adds its own (smaller) cost on top, on the success path as on the failure path.
enum PasswordCheck {
    /// What the check found.
    struct Outcome: Sendable, Equatable {
        let matches: Bool
        /// A new PHC string at the configured cost, when the stored one should be replaced.
        let rehashed: String?
    }

    /// Runs the check; blocking CPU work, so only on a `HashPool` thread.
    static func run(password: String, stored: String?, decoy: String, hasher: some PasswordHashing) -> Outcome {
        guard let stored else {
            _ = hasher.verify(password, against: decoy)
            return Outcome(matches: false, rehashed: nil)
        }
        let storedCost = Argon2Parameters(phc: stored)
        if hasher.verify(password, against: stored) {
            return Outcome(matches: true, rehashed: storedCost == hasher.parameters ? nil : hasher.hash(password))
        }
        if isCheaper(storedCost, than: hasher.parameters) {
            _ = hasher.verify(password, against: decoy)
        }
        return Outcome(matches: false, rehashed: nil)
    }

    /// Whether a stored hash's cost is below the configured one (an unreadable cost counts
    /// as cheaper: paying the decoy is the safe side).
    static func isCheaper(_ stored: Argon2Parameters?, than configured: Argon2Parameters) -> Bool {
        guard let stored else { return true }
        return stored.work < configured.work
    }
}
