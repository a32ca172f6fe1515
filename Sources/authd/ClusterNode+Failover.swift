import Etcd
import Failover
import Foundation
import HTTPFront
import Logging
import Metrics
import Replication

/// Automatic failover (`CLUSTER_ETCD_ENDPOINTS`): the roles come from the election on etcd.
/// The coordinator says follow, lead, fence or step down; this node carries it out with its
/// replication leader and follower. A step-down (and a rewind a follower needs) restarts the
/// node's roles: `authd serve` closes the engine and opens it again, so that start-up cuts an
/// unacknowledged tail the way it does for a node started by hand.
extension ClusterNode {
    /// The replication address of the leader named in etcd, if another node holds the key
    /// (start-up: a node follows before its engine opens, rewinding if it must).
    static func currentLeaderAddress(settings: ReplicationSettings, node: String, logger: Logger) async -> ReplicationSettings.Endpoint? {
        let client = EtcdClient(endpoints: settings.etcdEndpoints, requestTimeout: .seconds(2))
        let keys = ClusterKeys(clusterName: settings.clusterName)
        let read: EtcdKeyValue?
        do { read = try await client.get(keys.leader) } catch {
            try? await client.shutdown()
            logger.warning("etcd not reachable at start-up; opening and joining the election once it is",
                           metadata: ["reason": .string("\(error)")])
            return nil
        }
        try? await client.shutdown()
        guard let kv = read, let record = try? JSONDecoder().decode(LeaderRecord.self, from: Data(kv.value)), record.node != node else {
            return nil
        }
        return ReplicationSettings.Endpoint(record.replication)
    }

    /// Starts the coordinator: this node waits for the election's answer.
    func startAutomatic() async throws {
        role.withLock { $0 = .waiting }
        let advertise = settings.advertise ?? settings.listen
        let record = LeaderRecord(node: node, http: httpURL, replication: advertise?.description ?? "")
        var configuration = FailoverCoordinator.Configuration(
            keys: ClusterKeys(clusterName: settings.clusterName), record: record,
            leaseTTLSeconds: Int64(settings.leaseTTLSeconds), syncReplicas: settings.syncReplicas)
        configuration.tickInterval = 50_000_000
        let client = EtcdClient(endpoints: settings.etcdEndpoints,
                                requestTimeout: .milliseconds(max(500, settings.leaseTTLSeconds * 1000 / 3)))
        let logger = self.logger
        let coordinator = FailoverCoordinator(
            configuration: configuration, client: client, node: failoverNode(), localTerm: terms.currentTerm,
            observer: { message, fields in
                logger.notice("\(message)", metadata: fields.mapValues { .string($0) })
            })
        self.coordinator.withLock { $0 = coordinator }
        etcdClient.withLock { $0 = client }
        await coordinator.start()
    }

    func stopAutomatic() async {
        guard let coordinator = coordinator.withLock({ $0 }) else { return }
        await coordinator.stop()
        if let client = etcdClient.withLock({ $0 }) { try? await client.shutdown() }
    }

    /// What the coordinator asks of this node.
    private func failoverNode() -> FailoverNode {
        let renewals = Metrics.Timer(label: "authd_cluster_lease_renewal_seconds")
        return FailoverNode(
            follow: { [self] record, term in await follow(record, term: term) },
            lead: { [self] term in try await lead(term: term) },
            setFenced: { [self] fenced in
                fencing.withLock { $0.fenced = fenced }
                if case .leader(let leader) = role.withLock({ $0 }) { leader.setFenced(fenced) }
            },
            setConfirmDeadline: { [self] deadline in
                fencing.withLock { $0.confirmDeadline = deadline }
                if case .leader(let leader) = role.withLock({ $0 }) { leader.setConfirmDeadline(deadline) }
            },
            stepDown: { [self] reason in restartRequest.yield(reason) },
            syncSetInput: { [self] in
                guard case .leader(let leader) = role.withLock({ $0 }) else { return nil }
                let view = leader.followerViews()
                return (view.followers.map { SyncSetPlanner.Follower(name: $0.name, acknowledgedLSN: $0.acknowledgedLSN, live: $0.live) },
                        view.confirmedLSN)
            },
            setSyncSet: { [self] members in
                if case .leader(let leader) = role.withLock({ $0 }) { leader.setSyncSet(members) }
            },
            holdsEverything: { [self] name in
                guard case .leader(let leader) = role.withLock({ $0 }) else { return false }
                let last = log.lastAppendedLSN
                return leader.followerViews().followers.contains { $0.name == name && $0.live && $0.acknowledgedLSN >= last }
            },
            position: { [self] in
                let applied: UInt64
                if case .follower(let follower) = role.withLock({ $0 }) { applied = follower.appliedLSN } else { applied = log.lastAppendedLSN }
                return .init(term: Int64(terms.currentTerm), durableLSN: log.syncedLSN, appliedLSN: applied)
            },
            leaseRenewed: { nanoseconds in renewals.recordNanoseconds(Int64(nanoseconds)) })
    }

    /// Follows the leader the election names (replacing the current stream).
    private func follow(_ record: LeaderRecord, term: Int64) async {
        fencing.withLock { $0.leaderHTTP = record.http }
        guard let address = ReplicationSettings.Endpoint(record.replication) else {
            logger.error("the leader's replication address does not parse", metadata: ["address": .string(record.replication)])
            return
        }
        let current = role.withLock { r -> Role in
            let old = r
            r = .waiting
            return old
        }
        switch current {
        case .follower(let follower):
            if follower.configuration.leaderHost == address.host, follower.configuration.leaderPort == address.port {
                role.withLock { $0 = current }
                return
            }
            await follower.stop()
        case .leader:
            // The coordinator steps a leader down before it follows anyone; never two roles.
            restartRequest.yield("asked to follow \(record.node) while leading")
            return
        case .promoting, .waiting, .stopped:
            break
        }
        startFollowing(address)
    }

    /// Leads at the elected term: the stream from the old leader ends (everything received is
    /// applied), then the term record and the endpoint, fenced.
    private func lead(term: Int64) async throws {
        let current = role.withLock { r -> Role in
            let old = r
            r = .promoting
            return old
        }
        if case .follower(let follower) = current { await follower.stop() }
        try await log.flush()
        await engine.stopFollowing()
        try await becomeLeader(elected: UInt64(term))
        logger.warning("leading after an election", metadata: [
            "term": .stringConvertible(term), "durableLSN": .stringConvertible(log.syncedLSN),
        ])
    }

    /// The failover series of `/metrics` (nil without etcd).
    func failoverFigures() -> ClusterFigures.Failover? {
        guard let status = coordinator.withLock({ $0 })?.lastStatus else { return nil }
        return ClusterFigures.Failover(
            failovers: status.failovers, leaderPresent: status.leader != nil, renewalsSucceeded: status.renewalsSucceeded,
            renewalsFailed: status.renewalsFailed, syncSetSize: status.syncSet?.members.count ?? 0)
    }

    /// The election part of `/cluster` (nil without etcd).
    func automaticStatus() -> [String: Any]? {
        guard let status = coordinator.withLock({ $0 })?.lastStatus else { return nil }
        var object: [String: Any] = [
            "confirmsWrites": status.confirmsWrites, "failovers": status.failovers,
            "leaseRenewals": ["ok": status.renewalsSucceeded, "failed": status.renewalsFailed],
        ]
        switch status.role {
        case .leader(let term, let ready): object["role"] = ready ? "leader" : "starting leader (term \(term))"
        case .follower(let leader): object["role"] = "follower"; object["following"] = leader ?? NSNull()
        case .candidate: object["role"] = "candidate"
        case .steppedDown: object["role"] = "stepped down"
        }
        if let leader = status.leader {
            object["leaderKey"] = ["node": leader.record.node, "term": leader.createRevision, "http": leader.record.http]
        }
        if let sync = status.syncSet { object["syncSet"] = ["leader": sync.leader, "term": sync.term, "members": sync.members] }
        return object
    }
}
