/// When the leader may answer a client: the `SYNC_REPLICAS` rule over all connected followers,
/// as a state machine without I/O. Times are monotonic nanoseconds, passed in.
///
/// A write is *confirmable* once its records are durable on the leader and on `syncReplicas`
/// followers: the confirmable LSN is `min(leader synced, k-th highest follower acknowledgement)`,
/// so one slow follower holds nothing back while k others are ahead of it. With `syncReplicas`
/// 0 it is the leader's synced LSN (asynchronous replication).
///
/// Modes (k > 0):
/// - `.synchronous`: the rule above.
/// - `.degraded(since:)` (non-strict only): a write durable on the leader has waited
///   `syncTimeout` for its acknowledgements; from then on writes are confirmed on the leader's
///   durability alone, at full speed, until at least k live followers have caught up
///   (acknowledged the leader's synced LSN at the moment of checking). So no write waits longer
///   than `syncTimeout` for followers.
/// - `.refusing(since:)` (strict only): fewer than k live followers, or a write waited
///   `syncTimeout`: mutations must be refused (503); waiters older than `syncTimeout` are failed
///   (`failWaiters`; their records stay in the log and may still replicate, so the outcome is
///   unknown to the client, as after a timeout). Left when k live followers have caught up.
///
/// A follower is *live* when it acknowledged within the last `syncTimeout` (its connection
/// counts as an acknowledgement; followers answer every heartbeat, so an idle but healthy
/// follower stays live). A write's wait for followers counts from when it was both waiting and
/// durable on the leader, so a slow leader disk does not look like missing followers.
///
/// Confirmations are monotonic: `confirm(upTo:)` never goes back, whatever the mode.
///
/// **Sync-set mode** (automatic failover, `setSyncSet`): the followers that count are exactly
/// the sync set published in etcd (at most k names; only they and the leader may take over), and
/// a write is confirmed once *every* member holds it, so whichever member takes over has it. The
/// rule never degrades by itself there: the leader's coordinator first publishes a smaller set
/// (dropping a member that stopped acknowledging) and only then hands it to the rule. With fewer
/// than k members a non-strict rule confirms on the members it has (the leader alone for an
/// empty set: `.degraded`), a strict one refuses.
public struct AcknowledgementRule: Sendable {
    /// The rule's settings.
    public struct Configuration: Sendable, Hashable {
        /// Followers that must acknowledge a write before it is confirmed (`SYNC_REPLICAS`;
        /// 0 = asynchronous).
        public let syncReplicas: Int
        /// Refuse mutations rather than confirm on fewer copies (`SYNC_STRICT`).
        public let strict: Bool
        /// How long a write waits for followers, and how recent a live follower's last
        /// acknowledgement is (`SYNC_TIMEOUT`), in nanoseconds.
        public let syncTimeout: UInt64

        /// Creates the settings; throws when `syncReplicas` is negative or `syncTimeout` is 0.
        public init(syncReplicas: Int, strict: Bool = false, syncTimeout: UInt64) throws(ReplicationProtocolError) {
            guard syncReplicas >= 0 else {
                throw .invalidSetting(name: "SYNC_REPLICAS", reason: "\(syncReplicas) is negative")
            }
            guard syncTimeout > 0 else {
                throw .invalidSetting(name: "SYNC_TIMEOUT", reason: "must be above 0")
            }
            self.syncReplicas = syncReplicas
            self.strict = strict
            self.syncTimeout = syncTimeout
        }
    }

    /// How writes are being confirmed.
    public enum Mode: Sendable, Hashable {
        /// `syncReplicas` is 0: confirmed on the leader's durability.
        case asynchronous
        /// Confirmed on the leader and k followers.
        case synchronous
        /// Non-strict, too few followers kept up: confirmed on the leader's durability alone.
        case degraded(since: UInt64)
        /// Strict, too few followers: mutations are refused.
        case refusing(since: UInt64)

        /// False while mutations must be refused (`/cluster/leader` answers 503).
        public var acceptsWrites: Bool {
            if case .refusing = self { return false }
            return true
        }
    }

    /// What changed, for the caller to act on and to log or count.
    public enum Action: Sendable, Hashable {
        /// Answer every waiting write with LSN `<= upTo`.
        case confirm(upTo: UInt64)
        /// Fail (503) every still-waiting write with LSN `<= through`.
        case failWaiters(through: UInt64)
        /// Switched to degraded mode (log line, metric, `/cluster`).
        case enteredDegraded
        /// Left degraded mode: k followers have caught up.
        case leftDegraded
        /// Switched to refusing mutations.
        case enteredRefusing
        /// Accepting mutations again.
        case leftRefusing
    }

    /// One connected follower.
    public struct Follower: Sendable, Hashable {
        /// Its node name.
        public var name: String
        /// The highest LSN it acknowledged durable.
        public var acknowledgedLSN: UInt64
        /// When it last acknowledged (or connected).
        public var lastAcknowledgedAt: UInt64
    }

    private struct Waiter: Sendable {
        var lsn: UInt64
        /// From when its wait for followers counts: max(started waiting, durable on the leader).
        var start: UInt64
    }

    /// The settings.
    public let configuration: Configuration
    /// How writes are being confirmed.
    public private(set) var mode: Mode
    /// The leader's own synced (durable) LSN.
    public private(set) var leaderSyncedLSN: UInt64
    /// Records up to this LSN may be answered.
    public private(set) var confirmedLSN: UInt64
    private var followers: [String: Follower] = [:]
    /// Sync-set mode: the members that must all hold a write (nil: any k followers).
    public private(set) var syncSet: Set<String>?
    private var waiters: [Waiter] = []
    private var waiterHead = 0
    /// Waiters before this index are durable on the leader.
    private var syncedIndex = 0

    /// A rule for a leader whose log is durable (and, as far as this rule goes, confirmed)
    /// through `leaderSyncedLSN`, starting at `now`. Strict with k > 0 starts refusing: no
    /// follower has connected yet.
    public init(configuration: Configuration, leaderSyncedLSN: UInt64 = 0, now: UInt64) {
        self.configuration = configuration
        self.leaderSyncedLSN = leaderSyncedLSN
        self.confirmedLSN = leaderSyncedLSN
        if configuration.syncReplicas == 0 {
            mode = .asynchronous
        } else if configuration.strict {
            mode = .refusing(since: now)
        } else {
            mode = .synchronous
        }
    }

    /// The connected followers, by name.
    public var connectedFollowers: [Follower] {
        followers.values.sorted { $0.name < $1.name }
    }

    /// True when `name` is connected and acknowledged within the last `syncTimeout`.
    public func isLive(_ name: String, now: UInt64) -> Bool {
        followers[name].map { isLive($0, now: now) } ?? false
    }

    /// The followers that count as synchronous now (for `/cluster` and the sync set): up to k
    /// live followers with the highest acknowledgements, each holding every confirmed LSN.
    public func synchronousFollowers(now: UInt64) -> [String] {
        let k = configuration.syncReplicas
        guard k > 0 else { return [] }
        if let syncSet { return syncSet.filter { isLive($0, now: now) }.sorted() }
        return followers.values
            .filter { isLive($0, now: now) && $0.acknowledgedLSN >= confirmedLSN }
            .sorted { ($0.acknowledgedLSN, $1.name) > ($1.acknowledgedLSN, $0.name) }
            .prefix(k)
            .map(\.name)
    }

    /// Waiting writes not yet confirmed or failed.
    public var waitingCount: Int { waiters.count - waiterHead }

    // MARK: Events

    /// A follower started streaming with its log durable through `durableLSN`. A follower of
    /// the same name is replaced.
    public mutating func followerConnected(_ name: String, durableLSN: UInt64, now: UInt64) -> [Action] {
        followers[name] = Follower(name: name, acknowledgedLSN: durableLSN, lastAcknowledgedAt: now)
        return evaluate(now: now)
    }

    /// A follower acknowledged its log durable through `durableLSN` (unknown names are ignored).
    public mutating func followerAcknowledged(_ name: String, durableLSN: UInt64, now: UInt64) -> [Action] {
        guard var follower = followers[name] else { return [] }
        follower.acknowledgedLSN = max(follower.acknowledgedLSN, durableLSN)
        follower.lastAcknowledgedAt = max(follower.lastAcknowledgedAt, now)
        followers[name] = follower
        return evaluate(now: now)
    }

    /// A follower's connection ended.
    public mutating func followerDisconnected(_ name: String, now: UInt64) -> [Action] {
        followers[name] = nil
        return evaluate(now: now)
    }

    /// The leader's log is durable through `lsn`.
    public mutating func leaderSynced(through lsn: UInt64, now: UInt64) -> [Action] {
        if lsn > leaderSyncedLSN {
            leaderSyncedLSN = lsn
            syncedIndex = max(syncedIndex, waiterHead)
            while syncedIndex < waiters.count, waiters[syncedIndex].lsn <= lsn {
                waiters[syncedIndex].start = max(waiters[syncedIndex].start, now)
                syncedIndex += 1
            }
        }
        return evaluate(now: now)
    }

    /// Clients wait, since `now`, for records through `lsn`. Call it with the last LSN of each
    /// appended batch; an LSN already confirmed is answered with `confirm` at once.
    public mutating func writeWaiting(through lsn: UInt64, since now: UInt64) -> [Action] {
        if lsn <= confirmedLSN { return [.confirm(upTo: confirmedLSN)] }
        if let last = waiters.last, waiterHead < waiters.count, last.lsn >= lsn {
            // Covered by an earlier waiter, whose wait started no later.
        } else {
            waiters.append(Waiter(lsn: lsn, start: now))
            // Already durable on the leader (and so is every earlier, lower waiter).
            if lsn <= leaderSyncedLSN { syncedIndex = waiters.count }
        }
        return evaluate(now: now)
    }

    /// Time passed: timeouts are checked.
    public mutating func tick(now: UInt64) -> [Action] {
        evaluate(now: now)
    }

    /// Enters (or changes) sync-set mode: from now on a write is confirmed once every member of
    /// `members` holds it. The caller publishes a shrunk set in etcd before calling this, and
    /// calls this before publishing a grown one.
    public mutating func setSyncSet(_ members: Set<String>, now: UInt64) -> [Action] {
        syncSet = members
        return evaluate(now: now)
    }

    /// The highest LSN every member of the sync set has acknowledged (the leader's synced LSN for
    /// an empty set; nil when a member is not connected).
    public func syncSetAcknowledgement() -> UInt64? {
        guard let syncSet else { return nil }
        var lowest = leaderSyncedLSN
        for name in syncSet {
            guard let follower = followers[name] else { return nil }
            lowest = min(lowest, follower.acknowledgedLSN)
        }
        return lowest
    }

    // MARK: The rule

    private mutating func evaluate(now: UInt64) -> [Action] {
        var actions: [Action] = []
        let k = configuration.syncReplicas
        guard k > 0 else {
            confirm(upTo: leaderSyncedLSN, &actions)
            return actions
        }
        if let syncSet { return evaluateSyncSet(syncSet, k: k, now: now) }
        switch mode {
        case .degraded where caughtUpCount(now: now) >= k:
            mode = .synchronous
            actions.append(.leftDegraded)
        case .refusing where caughtUpCount(now: now) >= k:
            mode = .synchronous
            actions.append(.leftRefusing)
        default:
            break
        }
        if configuration.strict, mode == .synchronous, liveCount(now: now) < k {
            mode = .refusing(since: now)
            actions.append(.enteredRefusing)
        }
        if case .degraded = mode {
            confirm(upTo: leaderSyncedLSN, &actions)
        } else if let acknowledged = kthHighestAcknowledgement() {
            confirm(upTo: min(leaderSyncedLSN, acknowledged), &actions)
        }
        if let expired = expiredWaiterLSN(now: now) {
            if configuration.strict {
                failWaiters(through: expired, &actions)
                if mode == .synchronous {
                    mode = .refusing(since: now)
                    actions.append(.enteredRefusing)
                }
            } else {
                if mode == .synchronous {
                    mode = .degraded(since: now)
                    actions.append(.enteredDegraded)
                }
                confirm(upTo: leaderSyncedLSN, &actions)
            }
        }
        return actions
    }

    private mutating func evaluateSyncSet(_ members: Set<String>, k: Int, now: UInt64) -> [Action] {
        var actions: [Action] = []
        let wanted: Mode
        if members.count >= k {
            wanted = .synchronous
        } else if configuration.strict {
            wanted = .refusing(since: now)
        } else {
            wanted = members.isEmpty ? .degraded(since: now) : .synchronous
        }
        switch (mode, wanted) {
        case (.synchronous, .synchronous), (.degraded, .degraded), (.refusing, .refusing): break
        default:
            switch mode {
            case .degraded: actions.append(.leftDegraded)
            case .refusing: actions.append(.leftRefusing)
            default: break
            }
            mode = wanted
            switch wanted {
            case .degraded: actions.append(.enteredDegraded)
            case .refusing: actions.append(.enteredRefusing)
            default: break
            }
        }
        if case .refusing = mode {
            if let expired = expiredWaiterLSN(now: now) { failWaiters(through: expired, &actions) }
            return actions
        }
        if let acknowledged = syncSetAcknowledgement() { confirm(upTo: acknowledged, &actions) }
        if configuration.strict, let expired = expiredWaiterLSN(now: now) { failWaiters(through: expired, &actions) }
        return actions
    }

    private func isLive(_ follower: Follower, now: UInt64) -> Bool {
        now < follower.lastAcknowledgedAt || now - follower.lastAcknowledgedAt < configuration.syncTimeout
    }

    private func liveCount(now: UInt64) -> Int {
        followers.values.count(where: { isLive($0, now: now) })
    }

    private func caughtUpCount(now: UInt64) -> Int {
        followers.values.count(where: { isLive($0, now: now) && $0.acknowledgedLSN >= leaderSyncedLSN })
    }

    private func kthHighestAcknowledgement() -> UInt64? {
        let k = configuration.syncReplicas
        guard followers.count >= k else { return nil }
        return followers.values.map(\.acknowledgedLSN).sorted(by: >)[k - 1]
    }

    /// The newest LSN among waiters durable on the leader whose wait reached the timeout.
    /// Waits start in LSN order, so the expired waiters are the oldest ones.
    private func expiredWaiterLSN(now: UInt64) -> UInt64? {
        var expired: UInt64?
        var i = waiterHead
        while i < syncedIndex, i < waiters.count, now >= waiters[i].start,
              now - waiters[i].start >= configuration.syncTimeout {
            expired = waiters[i].lsn
            i += 1
        }
        return expired
    }

    private mutating func confirm(upTo lsn: UInt64, _ actions: inout [Action]) {
        guard lsn > confirmedLSN else { return }
        confirmedLSN = lsn
        actions.append(.confirm(upTo: lsn))
        dropWaiters(through: lsn)
    }

    private mutating func failWaiters(through lsn: UInt64, _ actions: inout [Action]) {
        actions.append(.failWaiters(through: lsn))
        dropWaiters(through: lsn)
    }

    private mutating func dropWaiters(through lsn: UInt64) {
        while waiterHead < waiters.count, waiters[waiterHead].lsn <= lsn { waiterHead += 1 }
        syncedIndex = max(syncedIndex, waiterHead)
        if waiterHead == waiters.count {
            waiters.removeAll(keepingCapacity: true)
            waiterHead = 0
            syncedIndex = 0
        } else if waiterHead >= 1024, waiterHead >= waiters.count / 2 {
            waiters.removeFirst(waiterHead)
            syncedIndex -= waiterHead
            waiterHead = 0
        }
    }
}
