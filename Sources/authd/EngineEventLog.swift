import Engine
import Logging

/// The log lines of what the engine does on its own schedule or an operator's request
/// (snapshots, session sweeps), with numbers as JSON numbers: the engine has no logger, so
/// `authd serve` observes its events (`AuthEngine.observe`) and writes them here.
enum EngineEventLog {
    static func write(_ event: EngineEvent, logger: Logger) {
        switch event {
        case .snapshotWritten(let report):
            logger.notice("snapshot written", metadata: [
                "event": "snapshot_written", "trigger": .string(report.trigger.rawValue), "path": .string(report.path),
                "lsn": .stringConvertible(report.lsn), "highLSN": .stringConvertible(report.highLSN),
                "bytes": .stringConvertible(report.bytes), "milliseconds": .stringConvertible(rounded(report.milliseconds)),
            ])
        case .snapshotFailed(let trigger, let reason):
            logger.warning("snapshot failed", metadata: [
                "event": "snapshot_failed", "trigger": .string(trigger.rawValue), "reason": .string(reason),
            ])
        case .sessionsSwept(let report):
            logger.info("ended sessions purged", metadata: [
                "event": "sessions_purged", "sessions": .stringConvertible(report.purgedSessions),
                "steps": .stringConvertible(report.steps), "milliseconds": .stringConvertible(rounded(report.milliseconds)),
            ])
        case .signingKeyCreated(let kid, let algorithm, let activatesAt):
            logger.notice("signing key created", metadata: [
                "event": "signing_key_created", "kid": .string(kid), "algorithm": .string(algorithm.rawValue),
                "activatesAt": .string(activatesAt.iso8601),
            ])
        case .signingKeyRotationFailed(let reason):
            logger.warning("signing key rotation failed", metadata: ["event": "signing_key_rotation_failed", "reason": .string(reason)])
        }
    }

    /// Milliseconds to the microsecond: enough for a log line, short to read.
    private static func rounded(_ milliseconds: Double) -> Double { (milliseconds * 1000).rounded() / 1000 }
}
