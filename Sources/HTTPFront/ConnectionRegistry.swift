import Locking
import NIOCore

/// The open connections of a server: the `MAX_CONNECTIONS` cap, and graceful shutdown.
///
/// `admit` counts a new connection in, or refuses it when `limit` are open. A refused
/// connection is answered 503 and lingers briefly (`ConnectionRefusalHandler`); at most
/// `maximumAnsweredRefusals` do so at once, past that a refused connection is closed
/// without an answer, so a flood of connections cannot pin descriptors through refusals.
/// On shutdown every admitted connection is told to quiesce: an idle one closes at once,
/// a busy one closes after writing its current answer.
final class ConnectionRegistry: Sendable {
    /// What `admit` decided.
    enum Admission: Equatable {
        case admitted
        /// Refused; `answer` says whether it gets the 503, `warn` whether this refusal is the one to log.
        case refused(answer: Bool, warn: Bool)
    }

    /// Refused connections answered (and lingering) at once.
    static let maximumAnsweredRefusals = 32
    /// The least time between two refusal warnings in the log.
    static let warningInterval = TimeAmount.seconds(10)

    private struct State: Sendable {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var answeringRefusals = 0
        var nextWarning = NIODeadline.uptimeNanoseconds(0)
        /// Set once shutdown began: a connection admitted later is told to quiesce at once.
        var quiescing = false
        /// Connections already told (NIO's pipeline handler must hear it once).
        var told: Set<ObjectIdentifier> = []
    }

    private let state = LockedValue(State())

    /// Counts `channel` in if fewer than `limit` are open.
    func admit(_ channel: any Channel, limit: Int) -> Admission {
        let key = ObjectIdentifier(channel)
        let admission = state.withLock { state -> Admission in
            if state.channels.count < limit {
                state.channels[key] = channel
                return .admitted
            }
            let answer = state.answeringRefusals < Self.maximumAnsweredRefusals
            if answer { state.answeringRefusals += 1 }
            let now = NIODeadline.now()
            let warn = now >= state.nextWarning
            if warn { state.nextWarning = now + Self.warningInterval }
            return .refused(answer: answer, warn: warn)
        }
        switch admission {
        case .admitted:
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLock { _ = $0.channels.removeValue(forKey: key) }
            }
            let tell = state.withLock { s -> Bool in
                guard s.quiescing, !s.told.contains(key) else { return false }
                s.told.insert(key)
                return true
            }
            if tell { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        case .refused(answer: true, _):
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLock { $0.answeringRefusals -= 1 }
            }
        case .refused(answer: false, _):
            break
        }
        return admission
    }

    /// How many connections are open (refused ones not counted).
    var count: Int { state.withLock { $0.channels.count } }

    /// Tells every connection (and every one admitted from now on) to finish its request and
    /// close. The events are queued on the connections' loops before this returns, so an answer
    /// completed later on a loop already knows it is the last (`Connection: close`).
    func beginQuiescing() {
        let open = state.withLock { s -> [any Channel] in
            s.quiescing = true
            let fresh = s.channels.filter { !s.told.contains($0.key) }
            s.told.formUnion(fresh.keys)
            return Array(fresh.values)
        }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Asks every connection to finish its request and close; returns when all closed.
    func quiesceAll() async {
        beginQuiescing()
        let open = state.withLock { Array($0.channels.values) }
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }

    /// Closes every connection now.
    func closeAll() async {
        let open = state.withLock { Array($0.channels.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
