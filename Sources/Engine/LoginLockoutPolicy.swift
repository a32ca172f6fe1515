/// When logins of one account lock: after `maxFailures` failed password checks within
/// `windowMilliseconds`, every login of that account is refused (429, the right password
/// included) for `windowMilliseconds` from the failure that locked it.
///
/// `LOGIN_MAX_ATTEMPTS` and `LOGIN_LOCKOUT_WINDOW_MS` in the server's configuration.
public struct LoginLockoutPolicy: Sendable, Equatable {
    /// Failed password checks in one window that lock the account (at least 1).
    public var maxFailures: Int
    /// How long failures are counted, and how long a lock lasts, in milliseconds.
    public var windowMilliseconds: Int

    public init(maxFailures: Int, windowMilliseconds: Int) {
        self.maxFailures = maxFailures
        self.windowMilliseconds = windowMilliseconds
    }
}
