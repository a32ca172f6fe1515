import Engine
import Etcd
import Failover
import Foundation
import HTTPFront
import Locking
import Logging
import NIOCore
import NIOPosix
import Replication
import WAL

/// This node's role in a replicated group, wired into the engine and the HTTP front: a leader
/// (ships its log, holds acknowledgements for `SYNC_REPLICAS` followers) or a follower
/// (applies the leader's log, serves reads, refuses writes with the leader's URL). The roles
/// come from the settings (`REPLICATE_FROM` makes a follower) and from `authd cluster promote`.
final class ClusterNode: Sendable {
    enum Role: Sendable {
        case leader(ReplicationLeader)
        case follower(ReplicationFollower)
        case promoting
        /// Automatic failover: no leader followed yet, or between two roles.
        case waiting
        case stopped
    }

    let settings: ReplicationSettings
    let node: String
    let httpURL: String
    let engine: AuthEngine
    let log: WriteAheadLog
    let directory: String
    let terms: TermStore
    let group: any EventLoopGroup
    let threadPool: NIOThreadPool
    let logger: Logger
    let role = LockedValue<Role>(.stopped)
    /// Automatic failover: the coordinator on etcd, and what it last said of the lease.
    let coordinator = LockedValue<FailoverCoordinator?>(nil)
    let etcdClient = LockedValue<EtcdClient?>(nil)
    let fencing = LockedValue(Fencing())
    /// Reasons to restart this node's roles (automatic failover: a step-down, a rewind).
    let restarts: AsyncStream<String>
    /// Set when the node stopped to restart its roles (read by `authd serve`).
    let restartReason = LockedValue<String?>(nil)
    let restartRequest: AsyncStream<String>.Continuation

    struct Fencing: Sendable {
        var fenced = true
        var confirmDeadline: UInt64 = 0
        var leaderHTTP: String?
    }

    init(settings: ReplicationSettings, node: String, httpURL: String, engine: AuthEngine, directory: String,
         terms: TermStore, group: any EventLoopGroup, logger: Logger) throws {
        guard let log = engine.writeAheadLog else { throw ClusterNodeError.noLog }
        self.settings = settings
        self.node = node
        self.httpURL = httpURL
        self.engine = engine
        self.log = log
        self.directory = directory
        self.terms = terms
        self.group = group
        self.logger = logger
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        (restarts, restartRequest) = AsyncStream.makeStream(of: String.self)
    }

    var secret: [UInt8] { Array((settings.secret ?? "").utf8) }

    // MARK: Before the engine opens

    /// A follower's start-up handshake (nothing open yet): cuts a diverged tail if the leader
    /// asks. Returns the node's term store.
    static func prepare(settings: ReplicationSettings, node: String, directory: String, logger: Logger) async throws -> TermStore {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let terms = try TermStore(dataDirectory: directory)
        let from: ReplicationSettings.Endpoint?
        if settings.isAutomatic {
            from = await currentLeaderAddress(settings: settings, node: node, logger: logger)
        } else {
            from = settings.leader
        }
        guard let leader = from else { return terms }
        var configuration = FollowerConfiguration(leaderHost: leader.host, leaderPort: leader.port, node: node,
                                                  secret: Array((settings.secret ?? "").utf8))
        configuration.connectTimeout = 2_000_000_000
        let result = await ReplicationFollower.bootstrap(
            configuration: configuration, directory: directory, terms: terms, group: MultiThreadedEventLoopGroup.singleton,
            events: { event in ClusterNode.log(event, logger: logger) })
        switch result {
        case .ready(let rewind?) where rewind.recordsCut > 0:
            logger.warning("cut this node's log back to the point its leader shares; the cut records are kept aside", metadata: [
                "lastLSN": .stringConvertible(rewind.lastLSN), "recordsCut": .stringConvertible(rewind.recordsCut),
                "keptAside": .array(rewind.keptAside.map { .string($0) }),
                "snapshotsMoved": .array(rewind.snapshotsMoved.map { .string($0) }),
            ])
        case .ready:
            break
        case .unreachable(let reason):
            logger.warning("leader not reachable at start-up; serving reads and following once it is back", metadata: [
                "leader": .string(leader.description), "reason": .string(reason),
            ])
        case .refused(let reason):
            logger.error("cannot follow the leader; serving reads from this node's own state", metadata: [
                "leader": .string(leader.description), "reason": .string(reason),
            ])
        }
        return terms
    }

    // MARK: Roles

    /// Takes the configured role: follower with `REPLICATE_FROM`, else leader; with etcd, the
    /// role the election gives.
    func start() async throws {
        if settings.isAutomatic {
            await engine.beginFollowing()
            try await startAutomatic()
        } else if settings.leader != nil {
            await engine.beginFollowing()
            startFollowing()
        } else {
            try await becomeLeader()
        }
    }

    private func startFollowing() {
        guard let leader = settings.leader else { return }
        startFollowing(leader)
    }

    /// Follows the leader at `leader` (the stream reconnects by itself).
    func startFollowing(_ leader: ReplicationSettings.Endpoint) {
        let configuration = FollowerConfiguration(leaderHost: leader.host, leaderPort: leader.port, node: node, secret: secret)
        let engine = self.engine
        let logger = self.logger
        let automatic = settings.isAutomatic
        let follower = ReplicationFollower(
            configuration: configuration, log: log, directory: directory, terms: terms, group: group,
            appliedLSN: log.lastAppendedLSN, apply: { records in try await engine.applyReplicated(records) },
            events: { [restartRequest] event in
                ClusterNode.log(event, logger: logger)
                // With etcd nobody restarts a node by hand: a needed rewind restarts its roles.
                if automatic, case .needsRestart(let reason) = event { restartRequest.yield(reason) }
            })
        role.withLock { $0 = .follower(follower) }
        follower.start()
    }

    /// Starts a leadership at the next term (with etcd: at `elected`, the leader key's create
    /// revision): its term record first, alone in its frame and durable, then the replication
    /// endpoint (with etcd: fenced, in sync-set mode with an empty set, until the coordinator
    /// says the lease is sure and the sync set is published).
    func becomeLeader(elected: UInt64? = nil) async throws {
        guard let listen = settings.listen else { throw ClusterNodeError.noListenAddress }
        let term = elected ?? terms.currentTerm + 1
        let lsn = log.append(try TermRecord(term: term, node: node).encoded())
        try await log.waitUntilDurable(lsn)
        try terms.record(term: term, firstLSN: lsn)
        var configuration = LeaderConfiguration(
            host: listen.host, port: listen.port, node: node, httpURL: httpURL, term: term, terms: terms.history, secret: secret,
            syncReplicas: settings.syncReplicas, strict: settings.syncStrict,
            syncTimeout: UInt64(settings.syncTimeoutSeconds * 1e9))
        configuration.maximumRetainedBytes = settings.maxRetainedBytes
        configuration.fenced = elected != nil
        let logger = self.logger
        let leader = try ReplicationLeader(
            configuration: configuration, log: log, directory: directory, group: group, threadPool: threadPool,
            events: { event in ClusterNode.log(event, logger: logger) })
        let address = try await leader.start()
        if elected != nil {
            leader.setSyncSet([])
            let fence = fencing.withLock { $0 }
            leader.setConfirmDeadline(fence.confirmDeadline)
            leader.setFenced(fence.fenced)
        }
        role.withLock { $0 = .leader(leader) }
        logger.notice("leading", metadata: [
            "term": .stringConvertible(term), "replicationAddress": .string("\(address)"), "termLSN": .stringConvertible(lsn),
            "syncReplicas": .stringConvertible(settings.syncReplicas),
        ])
    }

    /// `authd cluster promote`: a follower becomes the leader at the next term. Refuses when this
    /// node is behind the last LSN its leader had acknowledged to clients, unless `force`.
    func promote(force: Bool) async -> String {
        let current = role.withLock { r -> Role in
            let old = r
            if case .follower = r { r = .promoting }
            return old
        }
        guard case .follower(let follower) = current else {
            if case .leader = current { return "error this node already leads" }
            return "error this node is not a follower"
        }
        let known = follower.status().leaderDurableLSN
        await follower.stop()
        do { try await log.flush() } catch { return resumeFollowing("error the log cannot sync: \(error)") }
        let durable = log.syncedLSN
        if durable < known && !force {
            return resumeFollowing("error this node holds LSNs through \(durable) but its leader had acknowledged \(known); "
                + "promote the most advanced follower, or use --force to accept losing \(known - durable) records")
        }
        await engine.stopFollowing()
        do {
            try await becomeLeader()
        } catch {
            role.withLock { $0 = .stopped }
            return "error cannot become the leader: \(error)"
        }
        logger.warning("promoted to leader", metadata: [
            "term": .stringConvertible(terms.currentTerm), "durableLSN": .stringConvertible(durable),
            "leaderAcknowledgedLSN": .stringConvertible(known), "forced": .stringConvertible(force),
        ])
        return "ok term \(terms.currentTerm) lsn \(durable)"
    }

    /// A refused promotion: the node follows its leader again (a fresh stream) and says why.
    private func resumeFollowing(_ answer: String) -> String {
        startFollowing()
        return answer
    }

    func shutdown() async {
        await stopAutomatic()
        let current = role.withLock { r -> Role in
            let old = r
            r = .stopped
            return old
        }
        switch current {
        case .leader(let leader): await leader.stop()
        case .follower(let follower): await follower.stop()
        case .promoting, .waiting, .stopped: break
        }
        try? await threadPool.shutdownGracefully()
    }

    // MARK: What the HTTP front asks

    var gate: ClusterGate {
        ClusterGate(
            refusal: { [self] in refusal() }, status: { [self] in statusJSON() },
            acceptsWrites: { [self] in refusal() == nil }, isHealthyReplica: { [self] in isHealthyReplica() },
            figures: { [self] in figures() })
    }

    /// What `/metrics` shows of this node's role.
    func figures() -> ClusterFigures {
        let term = terms.currentTerm
        switch role.withLock({ $0 }) {
        case .leader(let leader):
            let status = leader.status()
            var figures = ClusterFigures(role: "leader", term: term, writable: refusal() == nil)
            figures.followers = status.followers.map { f in
                // Caught up: no lag; else how long since it last acknowledged.
                ClusterFigures.Follower(name: f.name, lagRecords: f.lagRecords,
                                        lagSeconds: f.lagRecords == 0 ? 0 : (f.sinceLastAckMilliseconds ?? 0) / 1000,
                                        synchronous: f.synchronous)
            }
            figures.degraded = status.modeName == "degraded"
            figures.recordsShipped = status.recordsShipped
            figures.bytesShipped = status.bytesShipped
            figures.snapshotsShipped = status.snapshotsShipped
            figures.failover = failoverFigures()
            return figures
        case .follower(let follower):
            let status = follower.status()
            var figures = ClusterFigures(role: "follower", term: term, writable: false)
            figures.streaming = status.streaming
            figures.replicaLagSeconds = Double(status.lag.nanoseconds) / 1e9
            figures.failover = failoverFigures()
            return figures
        case .promoting:
            return ClusterFigures(role: "promoting", term: term, writable: false)
        case .waiting:
            var figures = ClusterFigures(role: "waiting", term: term, writable: false)
            figures.failover = failoverFigures()
            return figures
        case .stopped:
            return ClusterFigures(role: "stopped", term: term, writable: false)
        }
    }

    private func refusal() -> ClusterRefusal? {
        switch role.withLock({ $0 }) {
        case .leader(let leader):
            return leader.acceptsWrites ? nil : .writesUnavailable(reason: "too few replicas acknowledge writes (SYNC_STRICT)")
        case .follower(let follower):
            return .notLeader(leaderURL: follower.status().leader?.httpURL ?? fencing.withLock { $0.leaderHTTP })
        case .waiting:
            return .notLeader(leaderURL: fencing.withLock { $0.leaderHTTP })
        case .promoting:
            return .writesUnavailable(reason: "this node is being promoted")
        case .stopped:
            return .writesUnavailable(reason: "this node is stopping")
        }
    }

    private func isHealthyReplica() -> Bool {
        guard case .follower(let follower) = role.withLock({ $0 }) else { return false }
        let status = follower.status()
        return status.streaming && status.needsRestart == nil
            && Double(status.lag.nanoseconds) / 1e9 < settings.replicaMaxLagSeconds
    }

    func statusJSON() -> [UInt8] {
        var object: [String: Any] = [
            "node": node, "http": httpURL, "term": terms.currentTerm,
        ]
        var lsn: [String: Any] = ["appended": log.lastAppendedLSN, "durable": log.syncedLSN]
        switch role.withLock({ $0 }) {
        case .leader(let leader):
            let status = leader.status()
            object["role"] = "leader"
            object["leader"] = httpURL
            object["mode"] = status.modeName
            object["acceptsWrites"] = leader.acceptsWrites
            lsn["applied"] = log.lastAppendedLSN
            lsn["confirmed"] = status.confirmedLSN
            object["followers"] = status.followers.map { f -> [String: Any] in
                [
                    "name": f.name, "address": f.address, "acknowledgedLSN": f.acknowledgedLSN, "appliedLSN": f.appliedLSN,
                    "lagRecords": f.lagRecords, "lagMilliseconds": f.sinceLastAckMilliseconds.map { $0 as Any } ?? NSNull(),
                    "synchronous": f.synchronous, "streaming": f.streaming,
                ]
            }
        case .follower(let follower):
            let status = follower.status()
            object["role"] = "follower"
            object["leader"] = status.leader?.httpURL ?? NSNull()
            object["leaderNode"] = status.leader?.node ?? NSNull()
            object["streaming"] = status.streaming
            object["needsRestart"] = status.needsRestart ?? NSNull()
            lsn["applied"] = status.appliedLSN
            lsn["leaderDurable"] = status.leaderDurableLSN
            object["lag"] = ["records": status.lag.records, "milliseconds": Double(status.lag.nanoseconds) / 1e6]
        case .promoting:
            object["role"] = "promoting"
            object["leader"] = NSNull()
            lsn["applied"] = log.lastAppendedLSN
        case .waiting:
            object["role"] = "waiting"
            object["leader"] = fencing.withLock { $0.leaderHTTP } ?? NSNull()
            lsn["applied"] = log.lastAppendedLSN
        case .stopped:
            object["role"] = "stopped"
            object["leader"] = NSNull()
            lsn["applied"] = log.lastAppendedLSN
        }
        object["lsn"] = lsn
        if let election = automaticStatus() { object["election"] = election }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }

    // MARK: Logging

    static func log(_ event: ReplicationEvent, logger: Logger) {
        switch event {
        case .followerJoined(let name, let lsn):
            logger.notice("follower streaming", metadata: ["follower": .string(name), "durableLSN": .stringConvertible(lsn)])
        case .followerLeft(let name):
            logger.notice("follower left", metadata: ["follower": .string(name)])
        case .enteredDegraded:
            logger.warning("replication degraded: acknowledging writes on the leader alone (no follower acknowledged within SYNC_TIMEOUT)",
                           metadata: ["event": "replication_degraded"])
        case .leftDegraded:
            logger.notice("replication synchronous again", metadata: ["event": "replication_synchronous"])
        case .enteredRefusing:
            logger.warning("refusing writes: too few followers acknowledge (SYNC_STRICT)", metadata: ["event": "replication_refusing"])
        case .leftRefusing:
            logger.notice("accepting writes again: enough followers acknowledge", metadata: ["event": "replication_accepting"])
        case .failedWaiters(let count):
            logger.warning("writes failed after SYNC_TIMEOUT without enough acknowledgements", metadata: ["count": .stringConvertible(count)])
        case .refused(let peer, let code, let message):
            logger.warning("replication stream refused", metadata: [
                "peer": .string(peer), "code": .string("\(code)"), "reason": .string(message),
            ])
        case .streaming(let leader, let term):
            logger.notice("streaming from the leader", metadata: ["leader": .string(leader), "term": .stringConvertible(term)])
        case .disconnected(let reason):
            logger.notice("replication stream ended; reconnecting", metadata: ["reason": .string(reason)])
        case .needsRestart(let reason):
            logger.error("stopped following: restart this node", metadata: ["reason": .string(reason)])
        case .adoptedTerm(let term):
            logger.notice("adopted a newer term", metadata: ["term": .stringConvertible(term)])
        case .snapshotSent(let follower, let lsn, let bytes):
            logger.notice("sent the newest snapshot to a follower older than the retained log",
                          metadata: ["follower": .string(follower), "lsn": .stringConvertible(lsn), "bytes": .stringConvertible(bytes)])
        case .snapshotInstalled(let lsn, let bytes, let target):
            logger.notice("installed the leader's snapshot; receiving the frames after it before opening",
                          metadata: ["lsn": .stringConvertible(lsn), "bytes": .stringConvertible(bytes),
                                     "catchUpTo": .stringConvertible(target)])
        }
    }
}

/// Why the cluster role could not start.
enum ClusterNodeError: Error, CustomStringConvertible {
    case noLog
    case noListenAddress

    var description: String {
        switch self {
        case .noLog: "replication needs a durable engine (a data directory)"
        case .noListenAddress: "a leader needs REPLICATION_LISTEN"
        }
    }
}
