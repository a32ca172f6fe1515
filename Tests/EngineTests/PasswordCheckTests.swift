import Foundation
import Locking
import Testing
@testable import Engine

/// A hasher that does no Argon2 work and records the cost of every operation asked of it.
/// Its PHC strings carry real-looking parameters, so the engine reads costs as it would.
final class RecordingHasher: PasswordHashing {
    enum Operation: Sendable, Equatable {
        case hash(Argon2Parameters)
        case verify(Argon2Parameters)

        var cost: Argon2Parameters {
            switch self {
            case .hash(let p), .verify(let p): p
            }
        }
    }

    let parameters: Argon2Parameters
    private let real: PasswordHasher?
    private let recorded = LockedValue<[Operation]>([])

    /// Records and delegates to the real hasher (libsodium) when `real`, else fakes the hashes.
    init(parameters: Argon2Parameters, real: Bool = false) {
        self.parameters = parameters
        self.real = real ? PasswordHasher(parameters: parameters) : nil
    }

    var operations: [Operation] { recorded.withLock { $0 } }

    func reset() { recorded.withLock { $0.removeAll() } }

    static func fakePHC(_ password: String, _ p: Argon2Parameters) -> String {
        "$argon2id$v=19$m=\(p.memoryKiB),t=\(p.iterations),p=\(p.parallelism)$c2FsdHNhbHQ$" + Data(password.utf8).base64EncodedString()
    }

    func hash(_ password: String) -> String {
        recorded.withLock { $0.append(.hash(parameters)) }
        return real?.hash(password) ?? Self.fakePHC(password, parameters)
    }

    func verify(_ password: String, against phc: String) -> Bool {
        let cost = Argon2Parameters(phc: phc) ?? Argon2Parameters(memoryKiB: 0, iterations: 0, parallelism: 0)
        recorded.withLock { $0.append(.verify(cost)) }
        if let real { return real.verify(password, against: phc) }
        return phc.hasSuffix("$" + Data(password.utf8).base64EncodedString())
    }
}

/// Issue 15.5: after the Argon2 cost is raised, a user still on the old, cheaper hash must
/// not answer faster than an unknown email. Asserted on the work done, never on time.
@Suite struct PasswordCheckTests {
    static let cheap = Argon2Parameters(memoryKiB: 1_024, iterations: 1, parallelism: 1)
    static let configured = Argon2Parameters(memoryKiB: 65_536, iterations: 3, parallelism: 1)
    static let dearer = Argon2Parameters(memoryKiB: 131_072, iterations: 4, parallelism: 1)

    func run(stored: String?, password: String) -> (PasswordCheck.Outcome, [RecordingHasher.Operation]) {
        let hasher = RecordingHasher(parameters: Self.configured)
        let decoy = RecordingHasher.fakePHC("decoy-\(UUID())", Self.configured)
        let outcome = PasswordCheck.run(password: password, stored: stored, decoy: decoy, hasher: hasher)
        return (outcome, hasher.operations)
    }

    /// Operations at the configured cost.
    func configuredWork(_ operations: [RecordingHasher.Operation]) -> Int {
        operations.filter { $0.cost == Self.configured }.count
    }

    @Test func everyPathPaysTheConfiguredCostOnce() {
        let cheapHash = RecordingHasher.fakePHC("right password", Self.cheap)
        let currentHash = RecordingHasher.fakePHC("right password", Self.configured)
        let cases: [(String?, String)] = [
            (nil, "anything"),                     // unknown email
            (cheapHash, "wrong password"),         // old cheap hash, wrong password
            (cheapHash, "right password"),         // old cheap hash, right password (rehash)
            (currentHash, "wrong password"),
            (currentHash, "right password"),
        ]
        for (stored, password) in cases {
            let (_, operations) = run(stored: stored, password: password)
            #expect(configuredWork(operations) == 1, "\(String(describing: stored)) \(password): \(operations)")
        }
    }

    @Test func aCheaperStoredHashPaysTheDifferenceWithTheDecoy() {
        let (outcome, operations) = run(stored: RecordingHasher.fakePHC("right password", Self.cheap), password: "wrong password")
        #expect(outcome == PasswordCheck.Outcome(matches: false, rehashed: nil))
        #expect(operations == [.verify(Self.cheap), .verify(Self.configured)])
        let (unknown, unknownOperations) = run(stored: nil, password: "wrong password")
        #expect(unknown.matches == false)
        #expect(unknownOperations == [.verify(Self.configured)])
    }

    @Test func aRightPasswordOnACheaperHashIsRehashedAtTheConfiguredCost() {
        let (outcome, operations) = run(stored: RecordingHasher.fakePHC("right password", Self.cheap), password: "right password")
        #expect(outcome.matches)
        #expect(outcome.rehashed?.contains("m=65536,t=3,p=1") == true)
        #expect(operations == [.verify(Self.cheap), .hash(Self.configured)])
    }

    @Test func aCurrentHashNeedsNoDecoy() {
        let (outcome, operations) = run(stored: RecordingHasher.fakePHC("right password", Self.configured), password: "wrong password")
        #expect(!outcome.matches)
        #expect(operations == [.verify(Self.configured)])
    }

    @Test func aDearerStoredHashAddsNothing() {
        // Lowering the cost is not equalised (documented): the stored hash already costs more.
        let (_, operations) = run(stored: RecordingHasher.fakePHC("right password", Self.dearer), password: "wrong password")
        #expect(operations == [.verify(Self.dearer)])
    }

    @Test func costsCompareByMemoryTimesPasses() {
        #expect(PasswordCheck.isCheaper(Self.cheap, than: Self.configured))
        #expect(!PasswordCheck.isCheaper(Self.configured, than: Self.configured))
        #expect(!PasswordCheck.isCheaper(Argon2Parameters(memoryKiB: 32_768, iterations: 6, parallelism: 1), than: Self.configured))
        #expect(PasswordCheck.isCheaper(nil, than: Self.configured))
    }

    /// Through the engine, with real Argon2id (libsodium): a user registered at the old cost, the
    /// engine restarted at a higher one.
    @Test func theEngineVerifiesTheDecoyForAUserOnAnOldCheapHash() async throws {
        let weak = makeEngine { $0.argon2 = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1) }
        try await weak.registerUser("old@example.com")
        let configured = Argon2Parameters(memoryKiB: 128, iterations: 2, parallelism: 1)
        var c = testConfiguration()
        c.argon2 = configured
        let recorder = RecordingHasher(parameters: configured, real: true)
        let strong = AuthEngine.inMemory(c, clock: ManualClock(), hasher: recorder)
        for (index, shard) in weak.shards.enumerated() {
            let (state, lsn) = await shard.capture()
            await strong.shards[index].load(state, lsn: lsn)
        }
        recorder.reset()
        #expect(await authError { try await strong.loginUser("old@example.com", password: "wrong password") } == .invalidCredentials)
        #expect(recorder.operations == [.verify(Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)), .verify(configured)])
        recorder.reset()
        #expect(await authError { try await strong.loginUser("nobody@example.com", password: "wrong password") } == .invalidCredentials)
        #expect(recorder.operations == [.verify(configured)])
    }
}
