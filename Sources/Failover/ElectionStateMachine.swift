/// One node's part in choosing the leader on etcd, as a state machine without I/O: which etcd
/// calls to make, when to follow, lead, fence or step down. Times are monotonic nanoseconds,
/// passed in; the coordinator carries out the actions and feeds back their results.
///
/// The rules (Patroni's, on etcd):
/// - Every node holds one lease, renewed every `renewInterval` (TTL/3). The lease's deadline is
///   counted from when each successful renewal was *sent*, so it is never later than etcd's.
/// - A node leads by creating the leader key bound to its lease, only if absent; the key's create
///   revision is the term.
/// - A leader confirms writes only while it is sure of its lease: `safetyMargin` before the
///   deadline it fences (confirms nothing; `/cluster/leader` fails) until a renewal succeeds. A
///   leader whose lease is gone, or whose key is gone or held by another, steps down.
/// - A leader confirms nothing before its sync set (who may take over after it) is published
///   for its term.
/// - Only the former leader or a member of the published sync set may campaign (with
///   `SYNC_REPLICAS` 0, anyone: asynchronous replication may lose writes anyway).
/// - A planned switchover: the leader named `from` fences, waits until the target holds every
///   record, and steps down (its lease, and the leader key with it, given back); while the
///   request exists only its target may campaign. A target not in the sync set is refused; one
///   that does not catch up in time ends the request and the leader confirms again.
public struct ElectionStateMachine: Sendable {
    /// The settings.
    public struct Configuration: Sendable, Hashable {
        /// This node's name.
        public var node: String
        /// `CLUSTER_LEASE_TTL`, nanoseconds.
        public var leaseTTL: UInt64
        /// `SYNC_REPLICAS`.
        public var syncReplicas: Int

        /// How often the lease is renewed: a third of its TTL.
        public var renewInterval: UInt64 { leaseTTL / 3 }
        /// How long before the lease deadline a leader fences: a fifth of the TTL, at least
        /// 300 ms (room for clock rate differences and a slow etcd answer).
        public var safetyMargin: UInt64 { max(leaseTTL / 5, 300_000_000) }

        public init(node: String, leaseTTL: UInt64, syncReplicas: Int) {
            self.node = node
            self.leaseTTL = leaseTTL
            self.syncReplicas = syncReplicas
        }
    }

    /// The leader key as last read from etcd.
    public struct LeaderKey: Sendable, Hashable {
        public var record: LeaderRecord
        /// The term: the key's create revision.
        public var createRevision: Int64
        public var modRevision: Int64
        public var lease: Int64

        public init(record: LeaderRecord, createRevision: Int64, modRevision: Int64, lease: Int64) {
            self.record = record
            self.createRevision = createRevision
            self.modRevision = modRevision
            self.lease = lease
        }
    }

    /// What the coordinator must do, in order.
    public enum Action: Sendable, Hashable {
        /// Grant a lease of the configured TTL (then `leaseGranted` or `leaseFailed`).
        case grantLease
        /// Renew the lease (then `leaseRenewed(sentAt:)` with the send time, or `leaseFailed`).
        case renewLease(id: Int64)
        /// Create the leader key bound to the lease, only if absent (then `campaignWon` or
        /// `campaignLost`).
        case campaign(lease: Int64)
        /// Follow the holder of the leader key (replace the current stream if it is another).
        case follow(LeaderKey)
        /// Start leading at `term`: write the term record, start the replication endpoint fenced,
        /// hand the rule an empty sync set (then `leaderStarted` or `leaderFailed`).
        case lead(term: Int64, key: LeaderKey)
        /// Publish the sync set `{leader: self, term, members: []}` for the new term, only while
        /// still holding the leader key (then `syncSetPublished` or `syncSetRejected`).
        case publishInitialSyncSet(term: Int64, leaderModRevision: Int64)
        /// Confirm nothing any more / confirm again.
        case fence
        case unfence
        /// Stop being the leader: stop confirming and restart as a follower (the unacknowledged
        /// tail is cut at start-up by the replication handshake).
        case stepDown(reason: String)
        /// Delete the leader key if it still is this revision (a leader key of this node's
        /// previous run, or one this node cannot use).
        case deleteLeaderKey(modRevision: Int64)
        /// A switchover to `to` began: the leader is fenced; report `handoverCaughtUp` once `to`
        /// has acknowledged every record this node appended.
        case handOver(to: String)
        /// Delete the switchover request: it is done (`reason` nil) or refused (`reason` says why).
        case endSwitchover(reason: String?)
    }

    /// This node's role.
    public enum Role: Sendable, Hashable {
        /// Not leading; following the holder (nil: no leader known).
        case follower(leader: String?)
        /// A campaign is in flight.
        case candidate
        /// Leading at `term` (`ready` once the endpoint runs and the sync set is published).
        case leader(term: Int64, ready: Bool)
        /// Stepped down: waiting to be restarted.
        case steppedDown
    }

    private enum Lease: Sendable, Hashable {
        case none
        case granting
        case held(id: Int64, deadline: UInt64, nextRenewal: UInt64, renewing: Bool)
    }

    public let configuration: Configuration
    public private(set) var role: Role = .follower(leader: nil)
    private var lease: Lease = .none
    /// The leader key last observed (nil: absent; `observed` false: never read yet).
    public private(set) var leaderKey: LeaderKey?
    private var observed = false
    /// The sync set last read from etcd.
    public private(set) var syncSet: SyncSetRecord?
    private var fenced = true
    /// The switchover request last read from etcd (nil: none).
    public private(set) var switchover: SwitchoverRecord?
    /// The switchover this leader is carrying out: its target and when it gives up.
    private var handover: (target: String, deadline: UInt64)?
    /// The last request this leader refused or gave up on (not taken up again while it lingers).
    private var declined: SwitchoverRecord?
    /// The newest term this node's log has seen (a won term must be newer).
    private var localTerm: UInt64
    /// Leader changes this node saw.
    public private(set) var failovers: UInt64 = 0

    /// A node whose log has seen terms up to `localTerm`.
    public init(configuration: Configuration, localTerm: UInt64) {
        self.configuration = configuration
        self.localTerm = localTerm
    }

    /// True while this node is a leader allowed to confirm writes.
    public var confirmsWrites: Bool {
        if case .leader(_, true) = role { return !fenced }
        return false
    }

    /// The lease this node holds (nil while none).
    public var leaseID: Int64? {
        if case let .held(id, _, _, _) = lease { return id }
        return nil
    }

    /// The target of the switchover this leader is carrying out (nil: none).
    public var handoverTarget: String? { handover?.target }

    /// Whether this node may campaign when the leader key is absent.
    public var isEligible: Bool {
        if let switchover, switchover.to != configuration.node { return false }
        guard configuration.syncReplicas > 0, let syncSet else { return true }
        return syncSet.leader == configuration.node || syncSet.members.contains(configuration.node)
    }

    // MARK: Events

    /// Time passed: renew the lease when due, fence near its deadline, campaign when free.
    public mutating func tick(now: UInt64) -> [Action] {
        var actions: [Action] = []
        switch lease {
        case .none:
            lease = .granting
            actions.append(.grantLease)
        case .granting:
            break
        case let .held(id, deadline, nextRenewal, renewing):
            if now >= deadline {
                // etcd has (or soon will have) dropped the lease and every key bound to it.
                lease = .none
                if isLeading {
                    fenceIfNeeded(&actions)
                    role = .steppedDown
                    actions.append(.stepDown(reason: "the lease expired before a renewal succeeded"))
                    return actions
                }
            } else {
                if !renewing, now >= nextRenewal {
                    lease = .held(id: id, deadline: deadline, nextRenewal: nextRenewal, renewing: true)
                    actions.append(.renewLease(id: id))
                }
                if isLeading, now + configuration.safetyMargin >= deadline { fenceIfNeeded(&actions) }
            }
        }
        if let handover, now >= handover.deadline {
            self.handover = nil
            declined = switchover
            actions.append(.endSwitchover(reason: "\(handover.target) did not hold every record in time"))
            actions += unfenceIfSure(now: now)
        }
        actions += campaignIfFree(now: now)
        return actions
    }

    /// A lease was granted; `sentAt` is when the grant was sent.
    public mutating func leaseGranted(id: Int64, ttl: UInt64, sentAt: UInt64) -> [Action] {
        lease = .held(id: id, deadline: sentAt + ttl, nextRenewal: sentAt + configuration.renewInterval, renewing: false)
        return campaignIfFree(now: sentAt)
    }

    /// A renewal sent at `sentAt` succeeded with `ttl` left.
    public mutating func leaseRenewed(sentAt: UInt64, ttl: UInt64, now: UInt64) -> [Action] {
        guard case let .held(id, deadline, _, _) = lease else { return [] }
        let newDeadline = max(deadline, sentAt + ttl)
        lease = .held(id: id, deadline: newDeadline, nextRenewal: sentAt + configuration.renewInterval, renewing: false)
        var actions: [Action] = []
        if case .leader(_, true) = role, fenced, handover == nil, now + configuration.safetyMargin < newDeadline {
            fenced = false
            actions.append(.unfence)
        }
        return actions
    }

    /// A grant or renewal failed. `leaseGone`: etcd said the lease does not exist (it expired):
    /// a leader steps down at once. Otherwise (etcd unreachable) the deadline decides.
    public mutating func leaseFailed(leaseGone: Bool, now: UInt64) -> [Action] {
        switch lease {
        case .granting:
            lease = .none
            return []
        case let .held(id, deadline, _, _):
            if leaseGone {
                lease = .none
                if isLeading {
                    var actions: [Action] = []
                    fenceIfNeeded(&actions)
                    role = .steppedDown
                    actions.append(.stepDown(reason: "etcd no longer holds this node's lease"))
                    return actions
                }
                return []
            }
            // Try again soon, well before the deadline.
            lease = .held(id: id, deadline: deadline, nextRenewal: now + configuration.renewInterval / 4, renewing: false)
            return []
        case .none:
            return []
        }
    }

    /// The leader key (nil: absent) and the sync set as read from etcd (a watch event or a read).
    public mutating func observed(leader key: LeaderKey?, syncSet: SyncSetRecord?, now: UInt64) -> [Action] {
        let previous = leaderKey
        leaderKey = key
        if let syncSet { self.syncSet = syncSet }
        observed = true
        if let previous, let key, previous.createRevision != key.createRevision { failovers += 1 }
        var actions: [Action] = []
        switch role {
        case .leader(let term, _):
            if let key, key.createRevision == term, key.record.node == configuration.node { break }
            fenceIfNeeded(&actions)
            role = .steppedDown
            let reason = key.map { "the leader key is held by \($0.record.node) at term \($0.createRevision)" } ?? "the leader key is gone"
            actions.append(.stepDown(reason: reason))
            return actions
        case .follower(let following):
            if let key {
                if key.record.node == configuration.node {
                    // This node's own key from an earlier run: it holds no lease for it now.
                    if key.lease != leaseID { actions.append(.deleteLeaderKey(modRevision: key.modRevision)) }
                } else if following != key.record.node || previous?.createRevision != key.createRevision {
                    role = .follower(leader: key.record.node)
                    actions.append(.follow(key))
                }
            } else {
                actions += campaignIfFree(now: now)
            }
        case .candidate, .steppedDown:
            break
        }
        return actions
    }

    /// The campaign created the leader key.
    public mutating func campaignWon(_ key: LeaderKey) -> [Action] {
        guard case .candidate = role else { return [] }
        leaderKey = key
        guard key.createRevision > 0, UInt64(key.createRevision) > localTerm else {
            // A term must be newer than any this log has seen: give the key back.
            role = .follower(leader: nil)
            return [.deleteLeaderKey(modRevision: key.modRevision)]
        }
        if let previous = syncSet?.leader, previous != configuration.node { failovers += 1 }
        role = .leader(term: key.createRevision, ready: false)
        fenced = true
        return [.lead(term: key.createRevision, key: key)]
    }

    /// Another node holds the key (or the campaign failed: `holder` nil).
    public mutating func campaignLost(holder: LeaderKey?, now: UInt64) -> [Action] {
        guard case .candidate = role else { return [] }
        role = .follower(leader: nil)
        return observed(leader: holder, syncSet: nil, now: now)
    }

    /// The replication endpoint runs at the term: publish the sync set for it.
    public mutating func leaderStarted(term: Int64) -> [Action] {
        guard case .leader(term, false) = role, let key = leaderKey else { return [] }
        localTerm = max(localTerm, UInt64(term))
        return [.publishInitialSyncSet(term: term, leaderModRevision: key.modRevision)]
    }

    /// The leadership could not start (its term record could not be written).
    public mutating func leaderFailed(reason: String) -> [Action] {
        guard case .leader = role else { return [] }
        role = .steppedDown
        return [.stepDown(reason: reason)]
    }

    /// The sync set for this term is in etcd: the leader may confirm writes (if its lease is sure).
    public mutating func syncSetPublished(_ record: SyncSetRecord, now: UInt64) -> [Action] {
        guard case .leader(let term, false) = role, record.term == term else { return [] }
        syncSet = record
        role = .leader(term: term, ready: true)
        var actions: [Action] = []
        // The switchover that made this node the leader is done.
        if let switchover, switchover.to == configuration.node { actions.append(.endSwitchover(reason: nil)) }
        if case let .held(_, deadline, _, _) = lease, now + configuration.safetyMargin < deadline {
            fenced = false
            actions.append(.unfence)
        }
        return actions
    }

    /// The switchover request as read from etcd (nil: none), read before the leader key.
    public mutating func observed(switchover record: SwitchoverRecord?, now: UInt64) -> [Action] {
        switchover = record
        guard case .leader(_, true) = role else { return [] }
        guard let record else {
            // The request ended (its requester gave up, or its lease expired): confirm again.
            guard handover != nil else { return [] }
            handover = nil
            return unfenceIfSure(now: now)
        }
        guard handover == nil, record != declined, record.from == configuration.node, record.to != configuration.node else { return [] }
        if configuration.syncReplicas > 0, !(syncSet?.members.contains(record.to) ?? false) {
            declined = record
            return [.endSwitchover(reason: "\(record.to) is not in the sync set")]
        }
        handover = (record.to, now + UInt64(max(0, record.timeoutMilliseconds)) * 1_000_000)
        var actions: [Action] = []
        fenceIfNeeded(&actions)
        actions.append(.handOver(to: record.to))
        return actions
    }

    /// The switchover's target holds every record this leader appended: step down so that it
    /// takes over.
    public mutating func handoverCaughtUp() -> [Action] {
        guard let handover, isLeading else { return [] }
        self.handover = nil
        role = .steppedDown
        return [.stepDown(reason: "switched over to \(handover.target)")]
    }

    /// The sync set could not be written because the leader key is no longer this node's.
    public mutating func syncSetRejected() -> [Action] {
        guard isLeading else { return [] }
        var actions: [Action] = []
        fenceIfNeeded(&actions)
        role = .steppedDown
        actions.append(.stepDown(reason: "the leader key changed before the sync set was published"))
        return actions
    }

    /// A later sync set this leader published (a member added or removed).
    public mutating func syncSetChanged(_ record: SyncSetRecord) {
        syncSet = record
    }

    // MARK: Rules

    private var isLeading: Bool {
        if case .leader = role { return true }
        return false
    }

    private mutating func fenceIfNeeded(_ actions: inout [Action]) {
        if !fenced {
            fenced = true
            actions.append(.fence)
        }
    }

    private mutating func unfenceIfSure(now: UInt64) -> [Action] {
        guard case .leader(_, true) = role, fenced, case let .held(_, deadline, _, _) = lease,
              now + configuration.safetyMargin < deadline else { return [] }
        fenced = false
        return [.unfence]
    }

    private mutating func campaignIfFree(now: UInt64) -> [Action] {
        guard observed, leaderKey == nil, case .follower = role, isEligible,
              case let .held(id, deadline, _, _) = lease, now + configuration.safetyMargin < deadline else { return [] }
        role = .candidate
        return [.campaign(lease: id)]
    }
}
