/// The login lockout of one account, as a value: the whole rule, with no clock and no I/O.
///
/// It counts *failed password checks*, not logins:
/// - `begin` is asked before any hashing. It refuses while the account is locked, and while
///   failures already counted plus checks in flight would reach the limit; otherwise it
///   reserves one check. Reserving before hashing is what makes N parallel wrong passwords
///   get at most `maxFailures` checks (the Zitadel GHSA-7h8m-vrxx-vr4m race).
/// - `end` settles the reservation: a right password gives it back and changes nothing else
///   (a success neither consumes the budget nor resets earlier failures, so an attacker
///   cannot buy fresh guesses by interleaving them with the owner's logins); a wrong one
///   counts; a check that never ran (hash queue full) gives it back.
/// - Failures are counted in a window that opens at the first failure. The failure that
///   reaches `maxFailures` locks the account for a whole window from that moment; when the
///   lock ends the count starts from zero.
///
/// The same rule runs for emails that belong to no account, so the answers cannot tell
/// which accounts exist.
struct LoginLockout: Sendable, Equatable {
    /// Failures counted in the current window.
    private(set) var failures: Int32 = 0
    /// Password checks allowed by `begin` and not yet settled by `end`.
    private(set) var reserved: Int32 = 0
    /// When the current counting window closes (meaningful while `failures > 0`).
    private(set) var windowEnd: Int64 = 0
    /// When the lock ends (0 when not locked).
    private(set) var lockedUntil: Int64 = 0

    /// What `begin` decides.
    enum Decision: Sendable, Equatable {
        /// Verify the password; settle with `end` afterwards.
        case check
        /// Answer 429 with this Retry-After, without verifying anything.
        case refuse(retryAfterSeconds: Int)
    }

    /// How a reserved check ended.
    enum Outcome: Sendable, Equatable {
        case passwordMatched
        case passwordWrong
        /// The check did not run (the hash pool refused it).
        case notChecked
    }

    init() {}

    /// Whether the account is locked at `now`.
    func isLocked(now: Int64) -> Bool { lockedUntil > now }

    /// Decides whether a login may check its password, reserving the check if so.
    mutating func begin(now: Int64, policy: LoginLockoutPolicy) -> Decision {
        expire(now: now)
        if lockedUntil > now {
            return .refuse(retryAfterSeconds: Self.seconds(lockedUntil - now))
        }
        if Int(failures) + Int(reserved) >= policy.maxFailures {
            // The rest of the budget is with checks in flight: they end in milliseconds.
            return .refuse(retryAfterSeconds: 1)
        }
        reserved += 1
        return .check
    }

    /// Settles a check that `begin` reserved; true when this failure locked the account.
    @discardableResult
    mutating func end(_ outcome: Outcome, now: Int64, policy: LoginLockoutPolicy) -> Bool {
        if reserved > 0 { reserved -= 1 }
        guard outcome == .passwordWrong else { return false }
        expire(now: now)
        if failures == 0 { windowEnd = now + Int64(policy.windowMilliseconds) }
        if failures < Int32.max { failures += 1 }
        guard Int(failures) >= policy.maxFailures, lockedUntil <= now else { return false }
        lockedUntil = now + Int64(policy.windowMilliseconds)
        return true
    }

    /// Forgets a lock or a window that has passed.
    private mutating func expire(now: Int64) {
        if lockedUntil != 0 {
            if now >= lockedUntil {
                lockedUntil = 0
                failures = 0
            }
        } else if failures > 0, now >= windowEnd {
            failures = 0
        }
    }

    private static func seconds(_ milliseconds: Int64) -> Int {
        max(1, Int((milliseconds + 999) / 1000))
    }
}

extension LoginLockout: BoundedTableEntry {
    /// Nothing in flight, not locked, nothing counted in an open window.
    func isIdle(now: Int64) -> Bool {
        guard reserved == 0 else { return false }
        if lockedUntil != 0 { return now >= lockedUntil }
        return failures == 0 || now >= windowEnd
    }

    /// Counting entries go before locks, locks before checks in flight; then fewer failures
    /// first, then the one that would expire first.
    func isMoreEvictable(than other: LoginLockout, now: Int64) -> Bool {
        let mine = tier(now: now), theirs = other.tier(now: now)
        if mine != theirs { return mine > theirs }
        if failures != other.failures { return failures < other.failures }
        return expiry < other.expiry
    }

    private func tier(now: Int64) -> Int {
        if reserved > 0 { return 0 }
        if lockedUntil > now { return 1 }
        return 2
    }

    private var expiry: Int64 { lockedUntil != 0 ? lockedUntil : windowEnd }
}
