import Foundation
import Testing
@testable import Engine

/// Issue 8.2 through the engine: the lockout counts failed password checks, locks the right
/// password out too, holds under parallel attempts, and treats unknown emails alike.
@Suite struct LoginLockoutEngineTests {
    static let policy = LoginLockoutPolicy(maxFailures: 3, windowMilliseconds: 60_000)

    func engine(clock: ManualClock = ManualClock(), recorder: RecordingHasher? = nil) -> AuthEngine {
        var c = testConfiguration()
        c.loginLockout = Self.policy
        return AuthEngine.inMemory(c, clock: clock, hasher: recorder)
    }

    @Test func successfulLoginsNeverConsumeTheBudget() async throws {
        let engine = engine()
        try await engine.registerUser("busy@example.com")
        for _ in 0..<20 { _ = try await engine.loginUser("busy@example.com") }
        #expect(await engine.statistics().loginLockoutEntries == 0)
    }

    @Test func afterTheFailuresEveryLoginIsRefusedUntilTheWindowPasses() async throws {
        let clock = ManualClock()
        let engine = engine(clock: clock)
        try await engine.registerUser("target@example.com")
        for _ in 0..<3 {
            #expect(await authError { try await engine.loginUser("target@example.com", password: "guess") } == .invalidCredentials)
        }
        #expect(await authError { try await engine.loginUser("TARGET@example.com ") } == .rateLimited(retryAfterSeconds: 60))
        clock.advance(seconds: 45)
        #expect(await authError { try await engine.loginUser("target@example.com") } == .rateLimited(retryAfterSeconds: 15))
        clock.advance(seconds: 15)
        _ = try await engine.loginUser("target@example.com")
    }

    @Test func aLockedLoginDoesNoHashingWork() async throws {
        let recorder = RecordingHasher(parameters: testConfiguration().argon2)
        let engine = engine(recorder: recorder)
        try await engine.registerUser("quiet@example.com")
        for _ in 0..<3 { _ = await authError { try await engine.loginUser("quiet@example.com", password: "guess") } }
        recorder.reset()
        for _ in 0..<5 { _ = await authError { try await engine.loginUser("quiet@example.com") } }
        #expect(recorder.operations.isEmpty)
    }

    @Test func parallelWrongPasswordsGetAtMostTheLimitOfChecks() async throws {
        let recorder = RecordingHasher(parameters: testConfiguration().argon2)
        let engine = engine(recorder: recorder)
        try await engine.registerUser("raced@example.com")
        recorder.reset()
        let errors = await withTaskGroup(of: AuthError?.self) { group in
            for i in 0..<50 {
                group.addTask { await authError { try await engine.loginUser("raced@example.com", password: "guess \(i)") } }
            }
            return await group.reduce(into: [AuthError?]()) { $0.append($1) }
        }
        #expect(recorder.operations.count == 3)
        #expect(errors.filter { $0 == .invalidCredentials }.count == 3)
        #expect(errors.filter { if case .rateLimited = $0 { true } else { false } }.count == 47)
        #expect(await authError { try await engine.loginUser("raced@example.com") } == .rateLimited(retryAfterSeconds: 60))
    }

    @Test func anUnknownEmailLocksExactlyLikeAKnownOne() async throws {
        let recorder = RecordingHasher(parameters: testConfiguration().argon2)
        let engine = engine(recorder: recorder)
        try await engine.registerUser("known@example.com")
        var transcripts: [[AuthError?]] = []
        var work: [[RecordingHasher.Operation]] = []
        for email in ["known@example.com", "unknown@example.com"] {
            recorder.reset()
            var answers: [AuthError?] = []
            for _ in 0..<5 { answers.append(await authError { try await engine.loginUser(email, password: "guess") }) }
            transcripts.append(answers)
            work.append(recorder.operations)
        }
        #expect(transcripts[0] == transcripts[1])
        #expect(transcripts[0] == [.invalidCredentials, .invalidCredentials, .invalidCredentials,
                                   .rateLimited(retryAfterSeconds: 60), .rateLimited(retryAfterSeconds: 60)])
        #expect(work[0] == work[1])
        #expect(await engine.statistics().loginLockoutEntries == 2)
    }

    @Test func aLockedAccountDoesNotAffectOtherAccountsFromTheSameAddress() async throws {
        let engine = engine()
        try await engine.registerUser("locked@example.com")
        try await engine.registerUser("neighbour@example.com")
        for _ in 0..<3 { _ = await authError { try await engine.loginUser("locked@example.com", password: "guess", ip: "192.0.2.1") } }
        #expect(await authError { try await engine.loginUser("locked@example.com", ip: "192.0.2.1") } == .rateLimited(retryAfterSeconds: 60))
        _ = try await engine.loginUser("neighbour@example.com", ip: "192.0.2.1")
    }

    @Test func invalidInputNeverReachesTheLockout() async throws {
        let engine = engine()
        let huge = String(repeating: "a", count: 1_000_000) + "@example.com"
        for _ in 0..<10 {
            let error = await authError { try await engine.loginUser(huge, password: "guess") }
            #expect(error == .invalidPayload([FieldIssue(path: "email", message: "Invalid email")]))
        }
        let stats = await engine.statistics()
        #expect(stats.loginLockoutEntries == 0 && stats.rateLimitBuckets == 0)
    }

    @Test func withoutAPolicyThereIsNoLockout() async throws {
        var c = testConfiguration()
        c.loginLockout = nil
        let engine = AuthEngine.inMemory(c, clock: ManualClock())
        try await engine.registerUser("free@example.com")
        for _ in 0..<12 { _ = await authError { try await engine.loginUser("free@example.com", password: "guess") } }
        _ = try await engine.loginUser("free@example.com")
        #expect(await engine.statistics().loginLockoutEntries == 0)
    }
}
