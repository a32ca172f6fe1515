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
    /// former leader's unacknowledged tail, kept aside as `.diverged`), then handshake again.
    public static func bootstrap(configuration: FollowerConfiguration, directory: String, terms: TermStore,
                                 group: any EventLoopGroup,
                                 events: @escaping @Sendable (ReplicationEvent) -> Void) async -> BootstrapResult {
        let follower = ReplicationFollower(
            configuration: configuration, log: nil, directory: directory, terms: terms, group: group, appliedLSN: 0,
            apply: { _ in 0 }, events: events)
        var rewind: WALRewind.Report?
        for _ in 0..<3 {
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
                return .ready(rewind: rewind)
            case .truncate(let lsn, let crc)?:
                do {
                    rewind = try WALRewind.rewind(directory: directory, to: lsn, expectedCRC: crc)
                    try terms.truncate(to: lsn)
                } catch {
                    return .refused("cannot cut this node's log back to LSN \(lsn): \(error)")
                }
            case .snapshot?:
                return .refused(
                    "the leader no longer holds this node's next records and sent a snapshot; restore this node from the leader "
                        + "(authd restore) or start it with an empty data directory")
            case .ended(let reason)?:
                return reason.contains("refuse") || reason.contains("Refus") ? .refused(reason) : .unreachable(reason)
            case nil:
                return .unreachable("the stream ended during the handshake")
            }
        }
        return .refused("the leader kept asking for another rewind")
    }
}
