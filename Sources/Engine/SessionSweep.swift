import Foundation

/// Where one shard's session sweep stands, and what its next bounded step purges: a value
/// that walks a `ShardState` a little at a time and returns `sessionsPurged` records, with
/// no I/O and no clock of its own.
///
/// A pass visits every user of the shard once, in the order of the users table, looking at
/// each of their sessions; a session that `SessionLifetime.isPurgeable` says has ended at
/// least the retention ago is named in a `sessionsPurged` record of its user (at most
/// `sessionsPerRecord` per record). One step looks at no more than its budget of users and
/// sessions, so a shard is never held for long, even with one user holding thousands of
/// sessions: the step then stops inside that user and the next one continues there.
///
/// Between steps the shard serves requests. Users are never removed, so the cursor (the next
/// user, and how many of its sessions were looked at and kept) always names a user still
/// there; sessions are appended to a user's list and removed only by purges, so the kept ones
/// keep their positions. When the users table grows past its capacity it is rehashed and its
/// order changes: that pass may look at some users twice and miss others, which the next pass
/// catches (purging is never urgent; it only has to happen).
struct SessionSweep: Sendable, Equatable {
    /// The most sessions one `sessionsPurged` record names (16 bytes each: 4 KiB of ids).
    static let sessionsPerRecord = 256

    /// The next user to look at; nil at the start of a pass.
    private var userID: UUID?
    /// How many of that user's sessions, from the front of its list, were looked at and kept.
    private var offset = 0

    init() {}

    /// What one step found.
    struct Step: Equatable {
        /// The purge records to commit (built from the state the step looked at).
        var records: [EngineRecord] = []
        /// Sessions named in `records`.
        var purged = 0
        /// Users and sessions looked at.
        var examined = 0
        /// Whether the pass is over (the next step starts a new one).
        var finished = false
    }

    /// Looks at up to `budget` users and sessions (at least 2) from the cursor on and moves the
    /// cursor past them. The records must be applied to `state` before the next step.
    mutating func step(over state: ShardState, lifetime: SessionLifetime, now: Timestamp, budget: Int) -> Step {
        let budget = max(2, budget)
        let users = state.users
        var index = users.startIndex
        if let userID {
            if let found = users.index(forKey: userID) { index = found } else { offset = 0 }
        } else {
            offset = 0
        }
        var step = Step()
        while index != users.endIndex, step.examined < budget {
            let user = users[index].value
            step.examined += 1
            var purge: [UUID] = []
            var kept = 0
            var position = offset
            while position < user.sessionIDs.count, step.examined < budget {
                let id = user.sessionIDs[position]
                if let session = state.session(id), lifetime.isPurgeable(session, at: now) { purge.append(id) } else { kept += 1 }
                position += 1
                step.examined += 1
            }
            var start = 0
            while start < purge.count {
                let end = min(start + Self.sessionsPerRecord, purge.count)
                step.records.append(.sessionsPurged(userID: user.id, sessionIDs: Array(purge[start..<end]), at: now))
                start = end
            }
            step.purged += purge.count
            if position < user.sessionIDs.count {
                // Budget spent inside this user: continue after the sessions it keeps.
                userID = user.id
                offset += kept
                return step
            }
            offset = 0
            index = users.index(after: index)
        }
        if index == users.endIndex {
            userID = nil
            step.finished = true
        } else {
            userID = users[index].key
        }
        offset = 0
        return step
    }
}
