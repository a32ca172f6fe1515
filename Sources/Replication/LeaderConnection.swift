import NIOCore
import NIOPosix
import WAL

/// One follower's connection on the leader: drives its `LeaderSession` and carries out the
/// actions. Confined to its channel's event loop; the disk work (backlog frames, the common
/// point's CRC, a snapshot) runs on the thread pool and comes back to the loop.
final class LeaderConnection: @unchecked Sendable {
    let channel: any Channel
    let leader: ReplicationLeader
    private var session: LeaderSession
    private var decoder = ReplicationMessageDecoder()
    /// Frame ranges the session has decided to send, in order; sent one after the other.
    private var pending: [(from: UInt64, through: UInt64)] = []
    private var pumping = false
    private var closed = false

    init(channel: any Channel, leader: ReplicationLeader) throws {
        self.channel = channel
        self.leader = leader
        let log = leader.log
        session = try LeaderSession(
            configuration: leader.sessionConfiguration, nonce: ReplicationAuthenticator.makeNonce(),
            logEnd: log.lastWrittenFrame.lsn, oldestRetainedLSN: Self.oldestRetainedLSN(leader.directory), now: ReplicationLeader.now())
    }

    /// The first LSN the segments still hold (1 when nothing was ever removed).
    static func oldestRetainedLSN(_ directory: String) -> UInt64 {
        let names = (try? WALReader(directory: directory).segmentFirstLSNs()) ?? []
        return names.first ?? 1
    }

    // MARK: Events (on the loop)

    func received(_ buffer: inout ByteBuffer) {
        decoder.append(buffer.readableBytesView)
        while !closed {
            let message: ReplicationMessage?
            do { message = try decoder.next() } catch {
                perform(session.decodingFailed(error))
                return
            }
            guard let message else { return }
            perform(session.received(message, now: ReplicationLeader.now()))
        }
    }

    func framesAvailable(upTo lsn: UInt64) { perform(session.framesAvailable(upTo: lsn)) }

    func tick(now: UInt64) { perform(session.tick(now: now)) }

    func stepDown() { perform(session.stepDown()) }

    func channelClosed() {
        closed = true
        perform(session.closed())
        leader.unregister(self)
    }

    // MARK: Actions

    private func perform(_ actions: [LeaderSession.Action]) {
        var joined = false
        defer {
            // Whatever was written while the handshake ran, after `start` and the first range.
            if joined, !closed { perform(session.framesAvailable(upTo: leader.log.lastWrittenFrame.lsn)) }
        }
        for action in actions {
            switch action {
            case .send(let message):
                _ = ReplicationWire.send(message, to: channel)
            case .sendHeartbeat:
                let message = ReplicationMessage.heartbeat(
                    leaderDurableLSN: leader.log.syncedLSN, leaderTimeMillis: WallClockMillis.now())
                _ = ReplicationWire.send(message, to: channel)
            case .locateCommonPoint(let lsn):
                locateCommonPoint(lsn)
            case .sendFrames(let from, let through):
                pending.append((from, through))
                pump()
            case .sendSnapshot:
                sendSnapshot()
            case .followerJoined(let name, let durable, _):
                leader.followerJoined(name, durableLSN: durable, address: channel.remoteAddress?.description ?? "?", replacing: self)
                joined = true
            case .acknowledged(let name, let durable, let applied, _):
                leader.acknowledged(name, durableLSN: durable, appliedLSN: applied)
            case .followerLeft(let name):
                leader.followerLeft(name, connection: self)
            case .refuse(let code, let text):
                leader.events(.refused(peer: session.followerName ?? channel.remoteAddress?.description ?? "?", code: code, message: text))
                let channel = self.channel
                ReplicationWire.send(.refuse(code: code, message: text), to: channel).whenComplete { _ in
                    channel.close(promise: nil)
                }
                closed = true
            case .close:
                closed = true
                channel.close(promise: nil)
            }
        }
    }

    private func locateCommonPoint(_ lsn: UInt64) {
        let directory = leader.directory
        let loop = channel.eventLoop
        leader.threadPool.runIfActive(eventLoop: loop) { () -> UInt32? in
            try WALReader(directory: directory).chainCRC(at: lsn)
        }.whenComplete { [self] result in
            switch result {
            case .success(let crc?): perform(session.commonPointLocated(crc: crc, now: ReplicationLeader.now()))
            case .success(nil), .failure: perform(session.commonPointMissing())
            }
        }
    }

    /// Sends the pending ranges in order: from memory when it holds them, else from the disk in
    /// bounded pieces, each waiting for the previous writes (backpressure).
    private func pump() {
        guard !pumping, !closed, let range = pending.first else { return }
        if let frames = leader.recentFrames(from: range.from, through: range.through) {
            pending.removeFirst()
            for chunk in frames {
                _ = ReplicationWire.write(chunk, to: channel)
                leader.shipped(chunk)
            }
            channel.flush()
            pump()
            return
        }
        pumping = true
        let directory = leader.directory
        let loop = channel.eventLoop
        leader.threadPool.runIfActive(eventLoop: loop) { () -> [WrittenFrames] in
            var out: [WrittenFrames] = []
            var bytes = 0
            try WALReader(directory: directory).forEachWrittenFrame(after: range.from - 1) { chunk in
                guard chunk.firstLSN <= range.through else { return false }
                out.append(chunk)
                bytes += chunk.bytes.count
                return bytes < (8 << 20) && chunk.lastLSN < range.through
            }
            return out
        }.whenComplete { [self] result in
            guard !closed else { return }
            switch result {
            case .failure(let error):
                perform([.refuse(.protocolViolation, "the leader cannot read its log: \(error)")])
            case .success(let frames):
                guard let last = frames.last, frames.first?.firstLSN == range.from else {
                    perform([.refuse(.tooFarBehind, "the leader no longer holds LSN \(range.from): reconnect for a snapshot")])
                    return
                }
                var written: EventLoopFuture<Void>?
                for chunk in frames {
                    written = ReplicationWire.write(chunk, to: channel)
                    leader.shipped(chunk)
                }
                channel.flush()
                written?.whenComplete { [self] _ in
                    pumping = false
                    if last.lastLSN >= range.through {
                        pending.removeFirst()
                    } else {
                        pending[0].from = last.lastLSN + 1
                    }
                    pump()
                }
            }
        }
    }

    /// A follower older than the retained log: the newest snapshot's file bytes, then the frames
    /// after it.
    private func sendSnapshot() {
        let directory = leader.directory
        let loop = channel.eventLoop
        let log = leader.log
        leader.threadPool.runIfActive(eventLoop: loop) { () -> SnapshotFile in
            try SnapshotFile.read(directory: directory, log: log)
        }.whenComplete { [self] result in
            guard !closed else { return }
            switch result {
            case .failure(let error):
                perform([.refuse(.tooFarBehind, "the leader has no snapshot to send: \(error)")])
            case .success(let file):
                var offset = 0
                var written: EventLoopFuture<Void>?
                while offset < file.bytes.count {
                    let end = min(offset + (1 << 20), file.bytes.count)
                    let chunk = ReplicationMessage.snapshotChunk(
                        lsn: file.lsn, totalBytes: UInt64(file.bytes.count), offset: UInt64(offset), bytes: Array(file.bytes[offset..<end]))
                    if let bytes = try? chunk.encoded() { written = channel.write(channel.allocator.buffer(bytes: bytes)) }
                    offset = end
                }
                channel.flush()
                leader.snapshotShipped(to: session.followerName ?? "?", lsn: file.lsn, bytes: UInt64(file.bytes.count))
                if let written {
                    written.whenComplete { [self] _ in snapshotWritten(file) }
                } else {
                    snapshotWritten(file)
                }
            }
        }
    }

    private func snapshotWritten(_ file: SnapshotFile) {
        perform(session.snapshotSent(lsn: file.lsn, chainCRC: file.chainCRC, nextFrameLSN: file.nextFrameLSN,
                                     now: ReplicationLeader.now()))
    }
}

/// The channel handler in front of a `LeaderConnection`.
final class LeaderConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let leader: ReplicationLeader
    private var connection: LeaderConnection?

    init(leader: ReplicationLeader) {
        self.leader = leader
    }

    func channelActive(context: ChannelHandlerContext) {
        do {
            let connection = try LeaderConnection(channel: context.channel, leader: leader)
            self.connection = connection
            leader.register(connection)
        } catch {
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        connection?.received(&buffer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.channelClosed()
        connection = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
