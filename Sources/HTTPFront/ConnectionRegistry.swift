import NIOCore

/// The open connections of a server, for graceful shutdown.
///
/// On shutdown every connection is told to quiesce: an idle one closes at
/// once, a busy one closes after writing its current answer.
final class ConnectionRegistry: Sendable {
    private let channels = LockedValue<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        channels.withLock { $0[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    /// How many connections are open.
    var count: Int { channels.withLock { $0.count } }

    /// Asks every connection to finish its request and close; returns when all closed.
    func quiesceAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }

    /// Closes every connection now.
    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
