/// Something the engine did on its own schedule (or on an operator's request) that the
/// process around it may want to log: the engine has no logger, so `authd serve` installs an
/// observer (`AuthEngine.observe`) and turns these into structured log lines.
public enum EngineEvent: Sendable {
    /// A snapshot file was written.
    case snapshotWritten(SnapshotReport)
    /// A snapshot could not be taken or written; the previous ones are untouched.
    case snapshotFailed(trigger: SnapshotReport.Trigger, reason: String)
    /// A session sweep pass purged ended sessions (passes that purge nothing are not reported).
    case sessionsSwept(SweepReport)
    /// A signing key was created (by `authd keys rotate`, the schedule, or a first start):
    /// published now, signing from `activatesAt`. Never carries key bytes.
    case signingKeyCreated(kid: String, algorithm: SigningAlgorithm, activatesAt: Timestamp)
    /// The rotation schedule could not rotate (the WAL cannot write, for example).
    case signingKeyRotationFailed(reason: String)
}
