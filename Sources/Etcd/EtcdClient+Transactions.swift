extension EtcdClient {
    /// Runs `transaction` atomically. Throws ``EtcdError/leaseNotFound(id:)`` when a put of the
    /// branch that ran names a lease etcd does not have.
    public func transaction(_ transaction: EtcdTransaction) async throws(EtcdError) -> EtcdTransactionResult {
        let lease = (transaction.success + transaction.failure).lazy.compactMap { operation -> Int64? in
            if case let .put(_, _, lease) = operation { return lease }
            return nil
        }.first
        let answer = try await transport.post("/v3/kv/txn", GatewayCodec.transaction(transaction), lease: lease)
        return try GatewayCodec.transactionResult(answer)
    }

    /// Creates `key` only if it does not exist, bound to `lease` when given; otherwise returns
    /// its current holder, read in the same transaction. The way to take a leader key: of any
    /// number of concurrent callers exactly one gets ``EtcdCreateOutcome/created(revision:)``.
    public func createIfAbsent(_ key: String, value: [UInt8], lease: Int64? = nil) async throws(EtcdError)
        -> EtcdCreateOutcome
    {
        let result = try await transaction(
            EtcdTransaction(
                compares: [.createRevision(of: key, .equal, 0)],
                success: [.put(key: key, value: value, lease: lease)],
                failure: [.get(key: key)]))
        if result.succeeded { return .created(revision: result.revision) }
        guard case let .range(range)? = result.responses.first, let holder = range.keyValues.first else {
            throw .malformedResponse("failed create of \(key) without the holder's key")
        }
        return .held(by: holder)
    }

    /// Writes `value` at `key` only while `guardKey`'s mod revision is still `revision` (for
    /// example the sync-set key, written only while the leader key is still the one we
    /// created). False when `guardKey` is gone or has changed; nothing is written then.
    public func put(
        _ key: String, value: [UInt8], lease: Int64? = nil, ifModRevisionOf guardKey: String, equals revision: Int64
    ) async throws(EtcdError) -> Bool {
        try await transaction(
            EtcdTransaction(
                compares: [.modRevision(of: guardKey, .equal, revision)],
                success: [.put(key: key, value: value, lease: lease)])
        ).succeeded
    }

    /// Deletes `key` only if its mod revision is still `revision` (resigning a leader key only
    /// if it is still ours). False when it is gone or was written since.
    public func delete(_ key: String, ifModRevision revision: Int64) async throws(EtcdError) -> Bool {
        try await transaction(
            EtcdTransaction(compares: [.modRevision(of: key, .equal, revision)], success: [.delete(key: key)])
        ).succeeded
    }
}
