import Foundation
import Testing
@testable import Engine

/// The libsodium hasher writes the same standard PHC strings libargon2 did (issue 18).
@Suite struct PasswordHasherTests {
    static let configured = Argon2Parameters(memoryKiB: 64, iterations: 2, parallelism: 1)

    @Test func newHashesAreStandardPHCStringsAtTheConfiguredCost() {
        let hasher = PasswordHasher(parameters: Self.configured)
        let phc = hasher.hash("correct horse")
        let parts = phc.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 6 && parts[0].isEmpty && parts[1] == "argon2id" && parts[2] == "v=19" && parts[3] == "m=64,t=2,p=1", "\(phc)")
        // Unpadded standard base64: a 16-byte salt is 22 characters, a 32-byte hash 43.
        #expect(parts.count == 6 && parts[4].count == 22 && parts[5].count == 43, "\(phc)")
        #expect(Argon2Parameters(phc: phc) == Self.configured)
        #expect(!hasher.needsRehash(phc))
        #expect(hasher.verify("correct horse", against: phc))
        #expect(!hasher.verify("correct horsf", against: phc))
        #expect(hasher.hash("correct horse") != phc, "a fresh salt each time")
    }

    /// libsodium's own `crypto_pwhash_str_needs_rehash` ignores p; ours compares every parameter.
    @Test func aStoredHashWithMoreLanesNeedsARehash() {
        let fourLanes = "$argon2id$v=19$m=512,t=2,p=4$U7CvaAJir9S5D1T2rRws8w$lyUIJE2dx3JpCMCv5YIBwP2oSEg+/yfHprEHDl6DdeY"
        #expect(PasswordHasher(parameters: Argon2Parameters(memoryKiB: 512, iterations: 2, parallelism: 1)).needsRehash(fourLanes))
        #expect(PasswordHasher(parameters: Self.configured).needsRehash(fourLanes))
    }

    /// The algorithm is pinned: an Argon2i or Argon2d string never verifies, even a correct one.
    @Test func onlyArgon2idStringsVerify() {
        let hasher = PasswordHasher(parameters: Self.configured)
        let argon2id = hasher.hash("correct horse")
        #expect(!hasher.verify("correct horse", against: argon2id.replacingOccurrences(of: "$argon2id$", with: "$argon2i$")))
        #expect(!hasher.verify("correct horse", against: argon2id.replacingOccurrences(of: "$argon2id$", with: "$argon2d$")))
        #expect(!hasher.verify("correct horse", against: ""))
        #expect(!hasher.verify("correct horse", against: "not a hash"))
    }
}
