import WAL

extension AuthEngine {
    /// Applies records received from a replication leader (already durable in this node's own
    /// log), through the same apply path that recovery uses. Records must come in log order,
    /// each call continuing the previous one; control records are skipped. Returns the last LSN
    /// applied. Throws `.recordUnreadable` for a record that does not decode or does not fit the
    /// state (the leader's log is not this engine's, or this node diverged): the caller must stop
    /// following.
    @discardableResult
    public func applyReplicated(_ records: [WALRecord]) async throws(EngineOpenError) -> UInt64 {
        guard let last = records.last?.lsn else { return 0 }
        var perShard = [[(EngineRecord, UInt64)]](repeating: [], count: shards.count)
        for record in records where !record.isControl {
            let decoded: EngineRecord
            do { decoded = try EngineRecord(decoding: record.bytes) } catch {
                throw .recordUnreadable(lsn: record.lsn, reason: "\(error)")
            }
            let index = ShardRoute.shard(route: ShardRoute.route(userID: decoded.userID), count: shards.count)
            perShard[index].append((decoded, record.lsn))
        }
        for (index, shard) in shards.enumerated() {
            do { try await shard.applyReplicated(perShard[index], through: last) } catch {
                throw .recordUnreadable(lsn: perShard[index].first?.1 ?? last, reason: "\(error)")
            }
        }
        // The leader's key records reached the owner shard: every shard verifies with them now.
        if perShard.contains(where: { $0.contains { $0.0.isSigningKeyRecord } }) { await installSigningKeys() }
        return last
    }

    /// Enters follower mode on every shard (a leader stepping down to follow another): from now
    /// on no shard appends records of its own, and the session sweep skips them. A node that
    /// follows from the start sets `EngineConfiguration.startsFollowing` instead, so that
    /// nothing runs between `open` and its first replicated batch; `applyReplicated` also
    /// enters follower mode on the shards it feeds.
    public func beginFollowing() async {
        for shard in shards { await shard.beginFollowing() }
    }

    /// Ends follower mode on every shard (promotion): snapshots then claim what the log holds,
    /// and the shards append their own records (the session sweep runs on them again). Call
    /// once everything received is applied. Signing keys rotate on it from now on.
    public func stopFollowing() async {
        for shard in shards { await shard.stopFollowing() }
        // A promoted node whose leader never created a key of this node's algorithm makes one.
        try? await ensureSigningKey()
    }

    /// The write-ahead log under this engine (nil in memory): replication reads and feeds it.
    public var writeAheadLog: WriteAheadLog? { journal.log }
}
