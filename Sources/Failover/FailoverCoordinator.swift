import Etcd
import Foundation
import Locking
import NIOCore

/// Carries out the election state machine and the sync-set planner against etcd for one node:
/// keeps its lease, watches the cluster's keys, campaigns, publishes the sync set, refreshes its
/// member key, and tells the node to follow, lead, fence or step down.
///
/// Every etcd call runs in a task of its own and reports back here, so a call that hangs (etcd
/// cut off) never delays the time-driven part: the fence a margin before the lease deadline.
public actor FailoverCoordinator {
    /// The settings.
    public struct Configuration: Sendable {
        public var keys: ClusterKeys
        /// This node as the leader key and its member key describe it.
        public var record: LeaderRecord
        /// `CLUSTER_LEASE_TTL` in whole seconds (etcd's unit), at least 2.
        public var leaseTTLSeconds: Int64
        /// `SYNC_REPLICAS`.
        public var syncReplicas: Int
        /// How often the machine is ticked, nanoseconds.
        public var tickInterval: UInt64 = 50_000_000

        public init(keys: ClusterKeys, record: LeaderRecord, leaseTTLSeconds: Int64, syncReplicas: Int) {
            self.keys = keys
            self.record = record
            self.leaseTTLSeconds = leaseTTLSeconds
            self.syncReplicas = syncReplicas
        }
    }

    /// The last failover as the leader that took over recorded it.
    public struct FailoverRecord: Sendable, Hashable, Codable {
        public var term: Int64
        public var leader: String
        public var previousLeader: String?
        /// Wall-clock ms when the new leader saw no leader key.
        public var leaderLostAt: Int64?
        /// Wall-clock ms when it could confirm writes.
        public var writableAt: Int64
    }

    /// What `/cluster` and `/metrics` show of the election.
    public struct Status: Sendable {
        public var role: ElectionStateMachine.Role
        public var leader: ElectionStateMachine.LeaderKey?
        public var syncSet: SyncSetRecord?
        public var confirmsWrites: Bool
        public var failovers: UInt64
        public var renewalsSucceeded: UInt64
        public var renewalsFailed: UInt64
    }

    public let configuration: Configuration
    private let client: EtcdClient
    private let node: FailoverNode
    private let observer: @Sendable (String, [String: String]) -> Void
    private var machine: ElectionStateMachine
    private var ticker: Task<Void, Never>?
    private var watcher: Task<Void, Never>?
    private var following: Task<Void, Never>?
    private var refreshing = false
    private var lastRefresh: UInt64 = 0
    private var syncChanging = false
    private var renewalsSucceeded: UInt64 = 0
    private var renewalsFailed: UInt64 = 0
    private var leaderLostAt: Int64?
    private var stopped = false
    private nonisolated let published = LockedValue<Status?>(nil)

    /// The status as of the last tick, for callers that cannot wait (`/cluster`, `/metrics`).
    public nonisolated var lastStatus: Status? { published.withLock { $0 } }

    /// A coordinator for `node`, whose log has seen terms up to `localTerm`. `observer` hears
    /// what happened (a message and its fields) for the node's log.
    public init(configuration: Configuration, client: EtcdClient, node: FailoverNode, localTerm: UInt64,
                observer: @escaping @Sendable (String, [String: String]) -> Void) {
        self.configuration = configuration
        self.client = client
        self.node = node
        self.observer = observer
        machine = ElectionStateMachine(
            configuration: .init(node: configuration.record.node, leaseTTL: UInt64(configuration.leaseTTLSeconds) * 1_000_000_000,
                                 syncReplicas: configuration.syncReplicas),
            localTerm: localTerm)
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
    static func wallMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Starts ticking and watching.
    public func start() {
        let interval = configuration.tickInterval
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                await self.tick()
                try? await Task.sleep(nanoseconds: interval)
            }
        }
        let prefix = configuration.keys.prefix
        let client = self.client
        watcher = Task { [weak self] in
            while !Task.isCancelled {
                do {
                    for try await _ in client.watch(prefix: prefix) {
                        await self?.refresh()
                    }
                } catch {
                    try? await Task.sleep(nanoseconds: 200_000_000)
                }
            }
        }
        refreshNow()
    }

    /// Stops: no more etcd calls; the lease is given back (its keys go with it) unless `keepLease`.
    public func stop(keepLease: Bool = false) async {
        stopped = true
        ticker?.cancel()
        watcher?.cancel()
        if !keepLease, let id = machine.leaseID { try? await client.revoke(id) }
    }

    public func status() -> Status {
        Status(role: machine.role, leader: machine.leaderKey, syncSet: machine.syncSet, confirmsWrites: machine.confirmsWrites,
               failovers: machine.failovers, renewalsSucceeded: renewalsSucceeded, renewalsFailed: renewalsFailed)
    }

    // MARK: Driving the machine

    private func tick() {
        guard !stopped else { return }
        let now = Self.now()
        perform(machine.tick(now: now))
        if let target = machine.handoverTarget, node.holdsEverything(target) {
            observer("switchover: the target holds every record; stepping down", ["to": target])
            perform(machine.handoverCaughtUp())
        }
        // A read now and then in case a watch event was missed.
        if now - lastRefresh >= machine.configuration.renewInterval { refreshNow() }
        maintainSyncSet()
        let status = self.status()
        published.withLock { $0 = status }
    }

    private func refreshNow() {
        guard !refreshing, !stopped else { return }
        refreshing = true
        Task { await self.refresh() }
    }

    /// Reads the cluster's keys and feeds the machine.
    private func refresh() async {
        refreshing = true
        defer { refreshing = false }
        lastRefresh = Self.now()
        let keys = configuration.keys
        do {
            let range = try await client.range(prefix: keys.prefix)
            var leader: ElectionStateMachine.LeaderKey?
            var syncSet: SyncSetRecord?
            var switchover: SwitchoverRecord?
            for kv in range.keyValues {
                let name = String(decoding: kv.keyBytes, as: UTF8.self)
                if name == keys.leader, let record = try? JSONDecoder().decode(LeaderRecord.self, from: Data(kv.value)) {
                    leader = .init(record: record, createRevision: kv.createRevision, modRevision: kv.modRevision, lease: kv.lease ?? 0)
                } else if name == keys.syncSet {
                    syncSet = try? JSONDecoder().decode(SyncSetRecord.self, from: Data(kv.value))
                } else if name == keys.switchover {
                    switchover = try? JSONDecoder().decode(SwitchoverRecord.self, from: Data(kv.value))
                }
            }
            if leader == nil, leaderLostAt == nil { leaderLostAt = Self.wallMillis() }
            if leader != nil, case .follower = machine.role { leaderLostAt = nil }
            guard !stopped else { return }
            perform(machine.observed(switchover: switchover, now: Self.now()))
            perform(machine.observed(leader: leader, syncSet: syncSet, now: Self.now()))
        } catch {
            // etcd unreachable: nothing learned; the lease deadline governs a leader.
        }
    }

    private func perform(_ actions: [ElectionStateMachine.Action]) {
        for action in actions { perform(action) }
    }

    private func perform(_ action: ElectionStateMachine.Action) {
        let client = self.client, keys = configuration.keys, record = configuration.record, node = self.node
        switch action {
        case .grantLease:
            let ttl = configuration.leaseTTLSeconds
            Task {
                let sent = Self.now()
                do {
                    let lease = try await client.grantLease(ttlSeconds: ttl)
                    self.leaseGranted(lease, sentAt: sent)
                } catch {
                    try? await Task.sleep(nanoseconds: 200_000_000)
                    self.leaseFailed(error)
                }
            }
        case .renewLease(let id):
            Task {
                let sent = Self.now()
                do {
                    let ttl = try await client.keepAlive(id)
                    self.leaseRenewed(sentAt: sent, ttlSeconds: ttl)
                } catch {
                    self.leaseFailed(error)
                }
            }
        case .campaign(let lease):
            let value = Self.encode(record)
            Task {
                do {
                    switch try await client.createIfAbsent(keys.leader, value: value, lease: lease) {
                    case .created(let revision):
                        self.campaignWon(.init(record: record, createRevision: revision, modRevision: revision, lease: lease))
                    case .held(let holder):
                        self.campaignLost(Self.leaderKey(holder))
                    }
                } catch {
                    try? await Task.sleep(nanoseconds: 200_000_000)
                    self.campaignLost(nil)
                }
            }
        case .follow(let key):
            observer("following the leader", ["leader": key.record.node, "term": "\(key.createRevision)"])
            let previous = following
            following = Task {
                await previous?.value
                await node.follow(key.record, key.createRevision)
            }
        case .lead(let term, _):
            observer("won the election", ["term": "\(term)"])
            Task {
                do {
                    try await node.lead(term)
                    self.leaderStarted(term: term)
                } catch {
                    self.leaderFailed("\(error)")
                }
            }
        case .publishInitialSyncSet(let term, let modRevision):
            let set = SyncSetRecord(leader: record.node, term: term, members: [])
            let previousLeader = machine.syncSet?.leader
            let lostAt = leaderLostAt
            Task {
                do {
                    let written = try await client.put(keys.syncSet, value: Self.encode(set), ifModRevisionOf: keys.leader,
                                                       equals: modRevision)
                    if written {
                        let failover = FailoverRecord(term: term, leader: record.node, previousLeader: previousLeader,
                                                      leaderLostAt: lostAt, writableAt: Self.wallMillis())
                        _ = try? await client.put(keys.lastFailover, value: Self.encode(failover))
                        self.syncSetPublished(set)
                    } else {
                        self.syncSetRejected()
                    }
                } catch {
                    try? await Task.sleep(nanoseconds: 200_000_000)
                    self.retryInitialSyncSet(term: term, modRevision: modRevision)
                }
            }
        case .fence:
            observer("fenced: not sure of the lease, confirming no write", [:])
            node.setFenced(true)
        case .unfence:
            observer("confirming writes", [:])
            node.setFenced(false)
        case .stepDown(let reason):
            observer("stepping down", ["reason": reason])
            node.setFenced(true)
            let lease = machine.leaseID
            Task {
                if let lease { try? await client.revoke(lease) }
                await node.stepDown(reason)
            }
        case .handOver(let target):
            observer("switchover: fenced, waiting until the target holds every record", ["to": target])
        case .endSwitchover(let reason):
            if let reason {
                observer("switchover refused", ["reason": reason])
            } else {
                observer("switchover done", [:])
            }
            Task { _ = try? await client.delete(keys.switchover) }
        case .deleteLeaderKey(let modRevision):
            observer("removing a leader key this node cannot use", ["modRevision": "\(modRevision)"])
            Task {
                _ = try? await client.delete(keys.leader, ifModRevision: modRevision)
                await self.refresh()
            }
        }
    }

    // MARK: Results

    private func leaseGranted(_ lease: EtcdLease, sentAt: UInt64) {
        let deadline = sentAt + UInt64(max(0, lease.ttlSeconds)) * 1_000_000_000
        node.setConfirmDeadline(deadline - min(deadline, machine.configuration.safetyMargin))
        perform(machine.leaseGranted(id: lease.id, ttl: UInt64(lease.ttlSeconds) * 1_000_000_000, sentAt: sentAt))
        writeMember()
    }

    private func leaseRenewed(sentAt: UInt64, ttlSeconds: Int64) {
        let now = Self.now()
        renewalsSucceeded += 1
        node.leaseRenewed(now - sentAt)
        let deadline = sentAt + UInt64(max(0, ttlSeconds)) * 1_000_000_000
        node.setConfirmDeadline(deadline - min(deadline, machine.configuration.safetyMargin))
        perform(machine.leaseRenewed(sentAt: sentAt, ttl: UInt64(max(0, ttlSeconds)) * 1_000_000_000, now: now))
        writeMember()
    }

    private func leaseFailed(_ error: any Error) {
        renewalsFailed += 1
        let gone: Bool
        if case EtcdError.leaseNotFound = error { gone = true } else { gone = false }
        perform(machine.leaseFailed(leaseGone: gone, now: Self.now()))
    }

    private func campaignWon(_ key: ElectionStateMachine.LeaderKey) {
        // The lease was granted (or renewed) before the campaign: confirm nothing past its deadline.
        perform(machine.campaignWon(key))
    }

    private func campaignLost(_ holder: ElectionStateMachine.LeaderKey?) {
        perform(machine.campaignLost(holder: holder, now: Self.now()))
    }

    private func leaderStarted(term: Int64) {
        perform(machine.leaderStarted(term: term))
    }

    private func leaderFailed(_ reason: String) {
        perform(machine.leaderFailed(reason: reason))
    }

    private func syncSetPublished(_ record: SyncSetRecord) {
        leaderLostAt = nil
        perform(machine.syncSetPublished(record, now: Self.now()))
    }

    private func syncSetRejected() {
        perform(machine.syncSetRejected())
    }

    private func retryInitialSyncSet(term: Int64, modRevision: Int64) {
        guard case .leader(term, false) = machine.role, !stopped else { return }
        perform(.publishInitialSyncSet(term: term, leaderModRevision: modRevision))
    }

    // MARK: The sync set

    /// One change at a time: drop a silent member (published first), add a caught-up follower
    /// (required first).
    private func maintainSyncSet() {
        guard !syncChanging, case .leader(let term, true) = machine.role, let key = machine.leaderKey,
              let published = machine.syncSet, published.term == term, let input = node.syncSetInput() else { return }
        let members = Set(published.members)
        let change = SyncSetPlanner.next(members: members, followers: input.followers, confirmedLSN: input.confirmedLSN,
                                         syncReplicas: configuration.syncReplicas)
        let next: Set<String>
        switch change {
        case .none: return
        case .shrink(let to, let dropped):
            next = to
            observer("removing a follower from the sync set", ["follower": dropped, "term": "\(term)"])
        case .grow(let to, let added):
            next = to
            observer("adding a caught-up follower to the sync set", ["follower": added, "term": "\(term)"])
            // Required before it is published: every write confirmed from now on is on it.
            node.setSyncSet(to)
        }
        syncChanging = true
        let client = self.client, keys = configuration.keys
        let shrinking: Bool
        if case .shrink = change { shrinking = true } else { shrinking = false }
        let record = SyncSetRecord(leader: configuration.record.node, term: term, members: Array(next))
        Task {
            var written = false
            do {
                written = try await client.put(keys.syncSet, value: Self.encode(record), ifModRevisionOf: keys.leader,
                                               equals: key.modRevision)
            } catch {
                written = false
            }
            self.syncSetWritten(record, written: written, previous: members, shrinking: shrinking)
        }
    }

    private func syncSetWritten(_ record: SyncSetRecord, written: Bool, previous: Set<String>, shrinking: Bool) {
        syncChanging = false
        if written {
            machine.syncSetChanged(record)
            // Dropped in etcd: only now may the rule confirm without it.
            if shrinking { node.setSyncSet(Set(record.members)) }
        } else if !shrinking {
            node.setSyncSet(previous)
        }
    }

    /// Keeps this node's member key up to date (with the lease).
    private func writeMember() {
        guard let lease = machine.leaseID, !stopped else { return }
        let position = node.position()
        let role: String
        switch machine.role {
        case .leader: role = "leader"
        case .follower: role = "follower"
        case .candidate: role = "candidate"
        case .steppedDown: role = "stepped-down"
        }
        let member = MemberRecord(
            node: configuration.record.node, http: configuration.record.http, replication: configuration.record.replication,
            role: role, term: position.term, durableLSN: position.durableLSN, appliedLSN: position.appliedLSN,
            updatedAt: Self.wallMillis())
        let client = self.client, key = configuration.keys.member(configuration.record.node)
        Task { _ = try? await client.put(key, value: Self.encode(member), lease: lease) }
    }

    // MARK: Encoding

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    static func leaderKey(_ kv: EtcdKeyValue) -> ElectionStateMachine.LeaderKey? {
        guard let record = try? JSONDecoder().decode(LeaderRecord.self, from: Data(kv.value)) else { return nil }
        return .init(record: record, createRevision: kv.createRevision, modRevision: kv.modRevision, lease: kv.lease ?? 0)
    }
}
