import Testing
@testable import Engine

/// The lockout rule as a value, without actors, clocks or hashing.
@Suite struct LoginLockoutTests {
    let policy = LoginLockoutPolicy(maxFailures: 3, windowMilliseconds: 60_000)

    /// One whole attempt: begin, and when allowed, end with `outcome`.
    func attempt(_ lockout: inout LoginLockout, _ outcome: LoginLockout.Outcome, at now: Int64) -> LoginLockout.Decision {
        let decision = lockout.begin(now: now, policy: policy)
        if decision == .check { lockout.end(outcome, now: now, policy: policy) }
        return decision
    }

    @Test func failuresLockTheAccountForAWindowRightPasswordIncluded() {
        var lockout = LoginLockout()
        for t in [0, 1_000, 2_000] as [Int64] { #expect(attempt(&lockout, .passwordWrong, at: t) == .check) }
        #expect(lockout.isLocked(now: 2_000))
        // The right password is refused too, or the lock would not stop guessing.
        #expect(attempt(&lockout, .passwordMatched, at: 2_000) == .refuse(retryAfterSeconds: 60))
        #expect(attempt(&lockout, .passwordWrong, at: 32_000) == .refuse(retryAfterSeconds: 30))
        #expect(attempt(&lockout, .passwordMatched, at: 61_999) == .refuse(retryAfterSeconds: 1))
        // A whole window after the locking failure, the account opens with a fresh count.
        #expect(attempt(&lockout, .passwordMatched, at: 62_000) == .check)
        #expect(lockout.failures == 0)
        #expect(lockout.isIdle(now: 62_000))
    }

    @Test func successesNeitherConsumeTheBudgetNorResetIt() {
        var lockout = LoginLockout()
        for t in 0..<100 as Range<Int64> { #expect(attempt(&lockout, .passwordMatched, at: t) == .check) }
        #expect(lockout.failures == 0 && lockout.reserved == 0)
        #expect(lockout.isIdle(now: 100))
        #expect(attempt(&lockout, .passwordWrong, at: 200) == .check)
        #expect(attempt(&lockout, .passwordWrong, at: 300) == .check)
        #expect(attempt(&lockout, .passwordMatched, at: 400) == .check)
        #expect(lockout.failures == 2)
        // The owner's success in between did not buy the attacker a fresh budget.
        #expect(attempt(&lockout, .passwordWrong, at: 500) == .check)
        #expect(lockout.isLocked(now: 500))
    }

    @Test func reservationsBoundParallelChecks() {
        var lockout = LoginLockout()
        // Ten attempts arrive before any check has finished: three may check, the rest wait.
        let decisions = (0..<10).map { _ in lockout.begin(now: 0, policy: policy) }
        #expect(decisions.filter { $0 == .check }.count == 3)
        #expect(decisions.filter { $0 == .refuse(retryAfterSeconds: 1) }.count == 7)
        let locked = (0..<3).map { _ in lockout.end(.passwordWrong, now: 5, policy: policy) }
        #expect(locked == [false, false, true], "the failure that locks says so, once")
        #expect(lockout.isLocked(now: 5))
        #expect(lockout.reserved == 0)
    }

    @Test func aRightPasswordOrAnUnrunCheckGivesTheReservationBack() {
        var lockout = LoginLockout()
        for _ in 0..<3 { #expect(lockout.begin(now: 0, policy: policy) == .check) }
        #expect(lockout.begin(now: 0, policy: policy) == .refuse(retryAfterSeconds: 1))
        lockout.end(.passwordMatched, now: 1, policy: policy)
        #expect(lockout.begin(now: 1, policy: policy) == .check)
        lockout.end(.notChecked, now: 2, policy: policy)
        #expect(lockout.begin(now: 2, policy: policy) == .check)
        #expect(lockout.failures == 0 && lockout.reserved == 3)
    }

    @Test func theCountingWindowOpensAtTheFirstFailure() {
        var lockout = LoginLockout()
        #expect(attempt(&lockout, .passwordWrong, at: 0) == .check)
        #expect(attempt(&lockout, .passwordWrong, at: 59_000) == .check)
        #expect(!lockout.isIdle(now: 59_999))
        #expect(lockout.isIdle(now: 60_000))
        // The window has passed: the count starts over, two more failures do not lock.
        #expect(attempt(&lockout, .passwordWrong, at: 60_000) == .check)
        #expect(attempt(&lockout, .passwordWrong, at: 61_000) == .check)
        #expect(lockout.failures == 2 && !lockout.isLocked(now: 61_000))
    }

    @Test func evictionPrefersWhatForgetsLeast() {
        var counting = LoginLockout()
        _ = attempt(&counting, .passwordWrong, at: 0)
        var locked = LoginLockout()
        for _ in 0..<3 { _ = attempt(&locked, .passwordWrong, at: 0) }
        var inFlight = LoginLockout()
        _ = inFlight.begin(now: 0, policy: policy)
        #expect(counting.isMoreEvictable(than: locked, now: 1))
        #expect(locked.isMoreEvictable(than: inFlight, now: 1))
        #expect(!inFlight.isMoreEvictable(than: counting, now: 1))
    }
}
