import NIOCore
import WAL

extension ReplicationFollower {
    /// How a start-up handshake ended.
    public enum BootstrapResult: Sendable {
        /// The log continues the leader's (after the rewind, if one was needed): open the engine.
        case ready(rewind: WALRewind.Report?)
        /// The leader could not be reached or the stream ended early: open the engine anyway and
        /// follow once it is back.
        case unreachable(String)
        /// This node cannot follow that leader without an operator (a different log, a newer
        /// term, a snapshot needed): open the engine read-only and say why.
        case refused(String)
    }

    /// Before the engine opens on `directory`: handshake with the leader and carry out what it
    /// asks first, with nothing open: cut the log back to the last point both logs share (a
    /// former leader's unacknowledged tail, kept aside as `.diverged`), or install the snapshot it
    /// sent (a node older than the leader's retained log) and receive the frames after it until
    /// the log holds everything the snapshot reflects (`SnapshotInstaller`); then handshake again.
    public static func bootstrap(configuration: FollowerConfiguration, directory: String, terms: TermStore,
                                 group: any EventLoopGroup,
                                 events: @escaping @Sendable (ReplicationEvent) -> Void) async -> BootstrapResult {
        let follower = ReplicationFollower(
            configuration: configuration, log: nil, directory: directory, terms: terms, group: group, appliedLSN: 0,
            apply: { _ in 0 }, events: events)
        var rewind: WALRewind.Report?
        let installer = SnapshotInstaller(directory: directory)
        for _ in 0..<4 {
            let position: LogPosition
            do {
                let wal = try WriteAheadLog(configuration: WALConfiguration(directory: directory))
                let last = wal.lastWrittenFrame
                await wal.close()
                position = LogPosition(durableLSN: last.lsn, lastCRC: last.crc, terms: terms.history)
            } catch {
                return .refused("cannot read this node's log: \(error)")
            }
            let outcome: FollowerLink.Outcome?
            do {
                (_, outcome) = try await follower.handshake(mode: .bootstrap, position: position)
            } catch {
                return .unreachable("\(error)")
            }
            switch outcome {
            case .stream?:
                guard let target = installer.pendingTarget() else { return .ready(rewind: rewind) }
                if position.durableLSN < target {
                    if let problem = await catchUp(to: target, configuration: configuration, directory: directory,
                                                   terms: terms, group: group, events: events) {
                        return .refused(problem)
                    }
                }
                installer.finish()
                return .ready(rewind: rewind)
            case .truncate(let lsn, let crc)?:
                do {
                    rewind = try WALRewind.rewind(directory: directory, to: lsn, expectedCRC: crc)
                    try terms.truncate(to: lsn)
                } catch {
                    return .refused("cannot cut this node's log back to LSN \(lsn): \(error)")
                }
            case .snapshot(let installation)?:
                do {
                    let target = try await installer.install(installation, incoming: follower.incomingSnapshotPath, terms: terms)
                    events(.snapshotInstalled(lsn: installation.lsn, bytes: installation.totalBytes, catchUpTo: target))
                } catch {
                    return .refused("cannot install the leader's snapshot: \(error)")
                }
            case .ended(let reason)?:
                return reason.contains("refuse") || reason.contains("Refus") ? .refused(reason) : .unreachable(reason)
            case nil:
                return .unreachable("the stream ended during the handshake")
            }
        }
        return .refused("the leader kept asking for another rewind or snapshot")
    }

    /// Streams the leader's frames into this node's log, applying nothing, until it is durable
    /// through `target`. Returns why it could not (nil once done). Gives up when no frame arrived
    /// for `catchUpStallLimit`.
    static func catchUp(to target: UInt64, configuration: FollowerConfiguration, directory: String, terms: TermStore,
                        group: any EventLoopGroup, events: @escaping @Sendable (ReplicationEvent) -> Void) async -> String? {
        let log: WriteAheadLog
        do { log = try WriteAheadLog(configuration: WALConfiguration(directory: directory)) } catch {
            return "cannot open this node's log: \(error)"
        }
        log.start()
        let follower = ReplicationFollower(
            configuration: configuration, log: log, directory: directory, terms: terms, group: group, appliedLSN: 0,
            apply: { records in records.last?.lsn ?? 0 }, events: events)
        follower.start()
        var problem: String?
        var progress = log.syncedLSN
        var quiet: UInt64 = 0
        while log.syncedLSN < target {
            if let reason = follower.status().needsRestart {
                problem = reason
                break
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
            if log.syncedLSN > progress {
                progress = log.syncedLSN
                quiet = 0
            } else {
                quiet += 20_000_000
                if quiet >= catchUpStallLimit {
                    problem = "no frame from the leader for \(catchUpStallLimit / 1_000_000_000) s while catching up to LSN \(target) "
                        + "(the log holds \(progress))"
                    break
                }
            }
        }
        await follower.stop()
        await log.close()
        return problem
    }

    /// How long a catch-up after a snapshot install waits without receiving a frame.
    static let catchUpStallLimit: UInt64 = 30_000_000_000
}
