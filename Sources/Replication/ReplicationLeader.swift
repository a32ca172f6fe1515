import Glibc
import Locking
import NIOCore
import NIOPosix
import Synchronization
import WAL

/// A leader's replication endpoint: accepts followers, authenticates them, ships every frame
/// its log writes (from memory while it can, from the segments otherwise, a snapshot first for
/// a follower older than the retained log), and holds client acknowledgements until
/// `SYNC_REPLICAS` followers have the records (`AcknowledgementRule`, through the log's
/// confirmation gate). Knows the WAL's frames, nothing about what the records mean.
public final class ReplicationLeader: Sendable {
    /// Its settings.
    public let configuration: LeaderConfiguration
    let log: WriteAheadLog
    let directory: String
    let group: any EventLoopGroup
    let threadPool: NIOThreadPool
    let authenticator: ReplicationAuthenticator
    let sessionConfiguration: LeaderSession.Configuration
    let events: @Sendable (ReplicationEvent) -> Void
    let hub: LockedValue<Hub>
    private let server = LockedValue<(any Channel)?>(nil)
    private let recordsShipped = Atomic<UInt64>(0)
    private let bytesShipped = Atomic<UInt64>(0)
    private let snapshotsShipped = Atomic<UInt64>(0)

    struct FollowerInfo: Sendable {
        var acknowledgedLSN: UInt64 = 0
        var appliedLSN: UInt64 = 0
        var lastAckNanos: UInt64 = 0
        var address: String = ""
    }

    struct Hub: Sendable {
        var rule: AcknowledgementRule
        var recent: RecentFrames
        var connections: [ObjectIdentifier: LeaderConnection] = [:]
        var followers: [String: FollowerInfo] = [:]
        /// The connection streaming to each follower name (one per name).
        var streams: [String: ObjectIdentifier] = [:]
        var stopped = false
        var ticker: RepeatedTask?
        var ticks = 0
        /// While fenced (the lease is not sure) nothing is confirmed; `withheld` is what the rule
        /// confirmed meanwhile.
        var fenced = false
        var withheld: UInt64 = 0
        /// Nothing is confirmed at or after this uptime instant (automatic failover's lease).
        var confirmDeadline = UInt64.max
    }

    /// A leader over `log` (the engine's log in `directory`), ready to `start`.
    public init(configuration: LeaderConfiguration, log: WriteAheadLog, directory: String, group: any EventLoopGroup,
                threadPool: NIOThreadPool, events: @escaping @Sendable (ReplicationEvent) -> Void) throws(ReplicationProtocolError) {
        self.configuration = configuration
        self.log = log
        self.directory = directory
        self.group = group
        self.threadPool = threadPool
        self.events = events
        authenticator = try ReplicationAuthenticator(secret: configuration.secret)
        sessionConfiguration = try LeaderSession.Configuration(
            authenticator: authenticator, term: configuration.term, node: configuration.node, httpURL: configuration.httpURL,
            terms: configuration.terms, heartbeatInterval: configuration.heartbeatInterval, idleTimeout: configuration.idleTimeout)
        let rule = AcknowledgementRule(
            configuration: try .init(syncReplicas: configuration.syncReplicas, strict: configuration.strict,
                                     syncTimeout: configuration.syncTimeout),
            leaderSyncedLSN: log.lastWrittenFrame.lsn, now: Self.now())
        hub = LockedValue(Hub(rule: rule, recent: RecentFrames(budget: configuration.memoryBudget)))
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Starts accepting followers and holding acknowledgements for them; returns the bound
    /// address.
    public func start() async throws -> SocketAddress {
        if configuration.syncReplicas > 0 || configuration.fenced {
            log.confirm(upTo: log.lastAppendedLSN)
            log.requireConfirmation(true)
        }
        if configuration.fenced { hub.withLock { $0.fenced = true } }
        log.setFrameObserver { [self] frames in framesWritten(frames) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LeaderConnectionHandler(leader: self))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        server.withLock { $0 = channel }
        let ticker = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(20)) { [self] _ in
            tick()
        }
        hub.withLock { $0.ticker = ticker }
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        return address
    }

    /// Stops: refuses every follower (`notLeader`, so they look for the new leader), stops
    /// shipping and releases the acknowledgements it held (`requireConfirmation(false)` is the
    /// caller's choice: a deposed leader must keep refusing writes instead).
    public func stop() async {
        let (connections, ticker) = hub.withLock { h -> ([LeaderConnection], RepeatedTask?) in
            h.stopped = true
            let all = Array(h.connections.values)
            h.connections = [:]
            return (all, h.ticker)
        }
        ticker?.cancel()
        log.setFrameObserver(nil)
        log.setRetentionFloor(nil)
        for connection in connections {
            connection.channel.eventLoop.execute { connection.stepDown() }
        }
        let channel = server.withLock { $0 }
        try? await channel?.close()
    }

    /// Whether writes may be acknowledged now (false in strict mode with too few followers, and
    /// while fenced).
    public var acceptsWrites: Bool {
        let now = Self.now()
        return hub.withLock { $0.rule.mode.acceptsWrites && !$0.fenced && now < $0.confirmDeadline }
    }

    /// Fences (or unfences) the leader: while fenced no write is confirmed to its client, so a
    /// leader that is not sure of its lease acknowledges nothing; unfencing confirms what the
    /// rule allowed meanwhile. Only for a leader configured with `fenced`.
    public func setFenced(_ fenced: Bool) {
        let now = Self.now()
        let release = hub.withLock { h -> UInt64? in
            guard h.fenced != fenced else { return nil }
            h.fenced = fenced
            return fenced || now >= h.confirmDeadline ? nil : h.withheld
        }
        if let release, release > 0 { log.confirm(upTo: release) }
    }

    /// Whether the leader is fenced now (explicitly, or past its confirmation deadline).
    public var isFenced: Bool {
        let now = Self.now()
        return hub.withLock { $0.fenced || now >= $0.confirmDeadline }
    }

    /// Confirms nothing at or after `uptimeNanoseconds` (`NIODeadline` uptime): the instant the
    /// leader stops being sure of its lease. Checked at every confirmation, so a leader that was
    /// paused past it confirms nothing when it resumes, whatever runs first. A later deadline
    /// releases what was held back.
    public func setConfirmDeadline(_ uptimeNanoseconds: UInt64) {
        let now = Self.now()
        let release = hub.withLock { h -> UInt64? in
            h.confirmDeadline = uptimeNanoseconds
            return !h.fenced && now < uptimeNanoseconds ? h.withheld : nil
        }
        if let release, release > 0 { log.confirm(upTo: release) }
    }

    /// Hands the rule the sync set published in etcd (sync-set mode; see `AcknowledgementRule`).
    public func setSyncSet(_ members: Set<String>) {
        let now = Self.now()
        let actions = hub.withLock { $0.rule.setSyncSet(members, now: now) }
        apply(actions)
    }

    /// The followers as the acknowledgement rule sees them, for choosing the sync set.
    public func followerViews() -> SyncSetView {
        let now = Self.now()
        return hub.withLock { h in
            SyncSetView(
                leaderSyncedLSN: h.rule.leaderSyncedLSN, confirmedLSN: h.rule.confirmedLSN, members: h.rule.syncSet ?? [],
                followers: h.rule.connectedFollowers.map {
                    SyncSetView.Follower(name: $0.name, acknowledgedLSN: $0.acknowledgedLSN, live: h.rule.isLive($0.name, now: now))
                })
        }
    }

    /// The followers and the acknowledgement mode, for `/cluster`.
    public func status() -> LeaderStatus {
        let now = Self.now()
        let lastLSN = log.lastAppendedLSN
        return hub.withLock { h in
            let synchronous = Set(h.rule.synchronousFollowers(now: now))
            let live = Set(h.streams.keys)
            let followers = h.followers.sorted { $0.key < $1.key }.map { name, info in
                LeaderStatus.Follower(
                    name: name, address: info.address, acknowledgedLSN: info.acknowledgedLSN, appliedLSN: info.appliedLSN,
                    lagRecords: lastLSN > info.acknowledgedLSN ? lastLSN - info.acknowledgedLSN : 0,
                    sinceLastAckMilliseconds: info.lastAckNanos == 0 ? nil : Double(now &- info.lastAckNanos) / 1e6,
                    synchronous: synchronous.contains(name), streaming: live.contains(name))
            }
            return LeaderStatus(mode: h.rule.mode, confirmedLSN: h.rule.confirmedLSN, followers: followers,
                                recordsShipped: recordsShipped.load(ordering: .relaxed),
                                bytesShipped: bytesShipped.load(ordering: .relaxed),
                                snapshotsShipped: snapshotsShipped.load(ordering: .relaxed))
        }
    }

    /// Counts frames written to a follower's connection.
    func shipped(_ frames: WrittenFrames) {
        recordsShipped.add(frames.lastLSN - frames.firstLSN + 1, ordering: .relaxed)
        bytesShipped.add(UInt64(frames.bytes.count), ordering: .relaxed)
    }

    /// Counts a snapshot sent to a follower older than the retained log.
    func snapshotShipped(to follower: String, lsn: UInt64, bytes: UInt64) {
        snapshotsShipped.add(1, ordering: .relaxed)
        bytesShipped.add(bytes, ordering: .relaxed)
        events(.snapshotSent(follower: follower, lsn: lsn, bytes: bytes))
    }

    // MARK: Feeding the rule

    /// On the WAL writer thread, after each frame write: keep it for streaming followers, tell
    /// the rule a write waits, wake the streams.
    func framesWritten(_ frames: WrittenFrames) {
        let now = Self.now()
        let (actions, wake) = hub.withLock { h -> ([AcknowledgementRule.Action], [LeaderConnection]) in
            guard !h.stopped else { return ([], []) }
            h.recent.append(frames)
            // "Synced" here is "written": the log's own gate adds its fdatasync (min of both).
            var actions = h.rule.leaderSynced(through: frames.lastLSN, now: now)
            actions += h.rule.writeWaiting(through: frames.lastLSN, since: now)
            return (actions, Array(h.connections.values))
        }
        apply(actions)
        let last = frames.lastLSN
        for connection in wake {
            connection.channel.eventLoop.execute { connection.framesAvailable(upTo: last) }
        }
    }

    func register(_ connection: LeaderConnection) {
        hub.withLock { $0.connections[ObjectIdentifier(connection)] = connection }
    }

    func unregister(_ connection: LeaderConnection) {
        hub.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    func followerJoined(_ name: String, durableLSN: UInt64, address: String, replacing connection: LeaderConnection) {
        let now = Self.now()
        let (actions, older) = hub.withLock { h -> ([AcknowledgementRule.Action], [LeaderConnection]) in
            // One session per follower name: the older connection of the same name ends first.
            let id = ObjectIdentifier(connection)
            let older = h.streams[name].flatMap { $0 == id ? nil : h.connections[$0] }.map { [$0] } ?? []
            h.streams[name] = id
            var info = h.followers[name] ?? FollowerInfo()
            info.acknowledgedLSN = durableLSN
            info.lastAckNanos = now
            info.address = address
            h.followers[name] = info
            return (h.rule.followerConnected(name, durableLSN: durableLSN, now: now), older)
        }
        for old in older { old.channel.close(promise: nil) }
        apply(actions)
        events(.followerJoined(name: name, durableLSN: durableLSN))
    }

    func acknowledged(_ name: String, durableLSN: UInt64, appliedLSN: UInt64) {
        let now = Self.now()
        let actions = hub.withLock { h -> [AcknowledgementRule.Action] in
            if var info = h.followers[name] {
                info.acknowledgedLSN = max(info.acknowledgedLSN, durableLSN)
                info.appliedLSN = max(info.appliedLSN, appliedLSN)
                info.lastAckNanos = now
                h.followers[name] = info
            }
            return h.rule.followerAcknowledged(name, durableLSN: durableLSN, now: now)
        }
        apply(actions)
    }

    func followerLeft(_ name: String, connection: LeaderConnection) {
        let now = Self.now()
        let actions = hub.withLock { h -> [AcknowledgementRule.Action] in
            // A newer connection of the same name already replaced this one: it stays.
            guard h.streams[name] == ObjectIdentifier(connection) else { return [] }
            h.streams[name] = nil
            return h.rule.followerDisconnected(name, now: now)
        }
        apply(actions)
        events(.followerLeft(name: name))
    }

    /// The frames `from...through` from memory, nil when only the disk has them.
    func recentFrames(from: UInt64, through: UInt64) -> [WrittenFrames]? {
        hub.withLock { $0.recent.frames(from: from, through: through) }
    }

    private func tick() {
        let now = Self.now()
        let (actions, connections, retention) = hub.withLock { h -> ([AcknowledgementRule.Action], [LeaderConnection], [UInt64]?) in
            h.ticks += 1
            // About once a second: what the known followers still need of the log.
            let retention = h.ticks % 50 == 1 ? h.followers.values.map { $0.acknowledgedLSN + 1 } : nil
            return (h.rule.tick(now: now), Array(h.connections.values), retention)
        }
        apply(actions)
        if let retention { updateRetention(needed: retention) }
        for connection in connections {
            connection.channel.eventLoop.execute { connection.tick(now: now) }
        }
    }

    /// Keeps the segments the known followers still need, within `maximumRetainedBytes` (the
    /// directory is listed on the thread pool, never on the event loop).
    private func updateRetention(needed: [UInt64]) {
        let directory = directory, log = log, maximum = configuration.maximumRetainedBytes
        threadPool.submit { state in
            guard case .active = state else { return }
            let segments = (try? WALReader(directory: directory).segmentFirstLSNs()) ?? []
            log.setRetentionFloor(RetentionFloor.choose(
                needed: needed, segmentFirstLSNs: segments, segmentBytes: log.configuration.segmentSize, maximumBytes: maximum))
        }
    }

    private func apply(_ actions: [AcknowledgementRule.Action]) {
        for action in actions {
            switch action {
            case .confirm(let lsn):
                let now = Self.now()
                let fenced = hub.withLock { h -> Bool in
                    let fenced = h.fenced || now >= h.confirmDeadline
                    if fenced { h.withheld = max(h.withheld, lsn) }
                    return fenced
                }
                if !fenced { log.confirm(upTo: lsn) }
            case .failWaiters(let lsn):
                let count = log.failUnconfirmed(through: lsn, error: .writeFailed(operation: "replicate", errno: ETIMEDOUT))
                if count > 0 { events(.failedWaiters(count: count)) }
            case .enteredDegraded: events(.enteredDegraded)
            case .leftDegraded: events(.leftDegraded)
            case .enteredRefusing: events(.enteredRefusing)
            case .leftRefusing: events(.leftRefusing)
            }
        }
    }
}
