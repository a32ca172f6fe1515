extension EtcdClient {
    /// Grants a lease of `ttlSeconds` (etcd may raise it to its minimum; see ``EtcdLease``).
    /// Keys bound to it are deleted when it expires or is revoked.
    public func grantLease(ttlSeconds: Int64) async throws(EtcdError) -> EtcdLease {
        let answer = try await transport.post("/v3/lease/grant", .object(["TTL": GatewayCodec.int64(ttlSeconds)]))
        return try GatewayCodec.lease(answer)
    }

    /// Renews `leaseID` once and returns the TTL it was renewed for (the granted TTL, counted
    /// from now). Throws ``EtcdError/leaseNotFound(id:)`` when etcd no longer has the lease
    /// (it answers a keepalive of an unknown lease with no TTL, not with an error).
    @discardableResult
    public func keepAlive(_ leaseID: Int64) async throws(EtcdError) -> Int64 {
        let answer = try await transport.post(
            "/v3/lease/keepalive", .object(["ID": GatewayCodec.int64(leaseID)]), lease: leaseID)
        guard let result = try answer.object("result") else {
            throw .malformedResponse("keepalive answer without result")
        }
        let ttl = try result.int64("TTL")
        guard ttl > 0 else { throw .leaseNotFound(id: leaseID) }
        return ttl
    }

    /// Revokes `leaseID`: deletes every key bound to it, at once. Throws
    /// ``EtcdError/leaseNotFound(id:)`` when it is already gone.
    public func revoke(_ leaseID: Int64) async throws(EtcdError) {
        _ = try await transport.post("/v3/lease/revoke", .object(["ID": GatewayCodec.int64(leaseID)]), lease: leaseID)
    }

    /// How long `leaseID` has left. Throws ``EtcdError/leaseNotFound(id:)`` when etcd no longer
    /// has it (it answers TTL -1 for an unknown lease).
    public func timeToLive(_ leaseID: Int64) async throws(EtcdError) -> EtcdLeaseStatus {
        let answer = try await transport.post(
            "/v3/lease/timetolive", .object(["ID": GatewayCodec.int64(leaseID)]), lease: leaseID)
        let remaining = try answer.int64("TTL")
        guard remaining >= 0 else { throw .leaseNotFound(id: leaseID) }
        return EtcdLeaseStatus(id: leaseID, remainingSeconds: remaining, grantedSeconds: try answer.int64("grantedTTL"))
    }
}
