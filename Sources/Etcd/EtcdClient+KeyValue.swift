extension EtcdClient {
    /// Reads one key (linearizable: the answer reflects every write acknowledged before the
    /// call); nil when absent.
    public func get(_ key: String) async throws(EtcdError) -> EtcdKeyValue? {
        try await range(key: key, prefix: false).keyValues.first
    }

    /// Reads every key starting with `prefix`, with the revision the read saw (start a watch at
    /// `revision + 1` to follow changes from exactly this snapshot).
    public func range(prefix: String) async throws(EtcdError) -> EtcdRange {
        try await range(key: prefix, prefix: true)
    }

    /// Writes `value` at `key`, bound to `lease` when given; returns the revision of the write.
    /// Throws ``EtcdError/leaseNotFound(id:)`` for a lease etcd does not have.
    @discardableResult
    public func put(_ key: String, value: [UInt8], lease: Int64? = nil) async throws(EtcdError) -> Int64 {
        let answer = try await transport.post(
            "/v3/kv/put", .object(GatewayCodec.put(key: key, value: value, lease: lease)), lease: lease)
        return try answer.headerRevision()
    }

    /// Deletes one key; `deleted` is 0 when it was absent.
    @discardableResult
    public func delete(_ key: String) async throws(EtcdError) -> EtcdDeleteResult {
        try await delete(key: key, prefix: false)
    }

    /// Deletes every key starting with `prefix`.
    @discardableResult
    public func delete(prefix: String) async throws(EtcdError) -> EtcdDeleteResult {
        try await delete(key: prefix, prefix: true)
    }

    private func range(key: String, prefix: Bool) async throws(EtcdError) -> EtcdRange {
        try GatewayCodec.range(try await transport.post("/v3/kv/range", .object(GatewayCodec.range(key: key, prefix: prefix))))
    }

    private func delete(key: String, prefix: Bool) async throws(EtcdError) -> EtcdDeleteResult {
        try GatewayCodec.delete(
            try await transport.post("/v3/kv/deleterange", .object(GatewayCodec.range(key: key, prefix: prefix))))
    }
}
