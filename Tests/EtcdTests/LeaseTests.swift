import Testing
@testable import Etcd

/// Leases against a real etcd: grant, renew, time left, revoke, expiry, and the keys they hold.
@Suite(.timeLimit(.minutes(2))) struct LeaseTests {
    @Test func grantKeepAliveTimeToLiveRevoke() async throws {
        try await withClient { client in
            let lease = try await client.grantLease(ttlSeconds: 10)
            #expect(lease.id != 0 && lease.ttlSeconds == 10)
            #expect(try await client.keepAlive(lease.id) == 10)
            let status = try await client.timeToLive(lease.id)
            #expect(status.id == lease.id && status.grantedSeconds == 10)
            #expect(status.remainingSeconds > 0 && status.remainingSeconds <= 10)
            try await client.revoke(lease.id)
            await #expect(throws: EtcdError.self) { try await client.keepAlive(lease.id) }
        }
    }

    @Test func etcdRaisesATTLBelowItsMinimum() async throws {
        try await withClient { client in
            let lease = try await client.grantLease(ttlSeconds: 1)
            // 1.5 election timeouts (1 s here), rounded up: etcd grants 2 s.
            #expect(lease.ttlSeconds >= 1)
            try await client.revoke(lease.id)
        }
    }

    @Test func unknownLeaseIsLeaseNotFoundEverywhere() async throws {
        try await withClient { client in
            let unknown: Int64 = 0x1234_5678
            await expectLeaseNotFound(unknown) { try await client.keepAlive(unknown) }
            await expectLeaseNotFound(unknown) { try await client.revoke(unknown) }
            await expectLeaseNotFound(unknown) { _ = try await client.timeToLive(unknown) }
            await expectLeaseNotFound(unknown) { try await client.put(uniquePrefix() + "k", value: [1], lease: unknown) }
            await expectLeaseNotFound(unknown) { _ = try await client.createIfAbsent(uniquePrefix() + "k", value: [1], lease: unknown) }
        }
    }

    @Test func revokeDeletesBoundKeys() async throws {
        try await withClient { client in
            let prefix = uniquePrefix()
            let lease = try await client.grantLease(ttlSeconds: 30)
            try await client.put(prefix + "bound", value: Array("x".utf8), lease: lease.id)
            try await client.put(prefix + "free", value: Array("y".utf8))
            #expect(try await client.get(prefix + "bound")?.lease == lease.id)
            #expect(try await client.get(prefix + "free")?.lease == nil)
            try await client.revoke(lease.id)
            #expect(try await client.get(prefix + "bound") == nil)
            #expect(try await client.get(prefix + "free") != nil)
        }
    }

    @Test func anUnrenewedLeaseExpiresAndTakesItsKeys() async throws {
        try await withClient { client in
            let key = uniquePrefix() + "ephemeral"
            let lease = try await client.grantLease(ttlSeconds: 1)
            try await client.put(key, value: [1], lease: lease.id)
            // Poll with a generous bound; no assertion on how long it took.
            let deadline = ContinuousClock.now + .seconds(60)
            while try await client.get(key) != nil, ContinuousClock.now < deadline {
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            #expect(try await client.get(key) == nil)
            await expectLeaseNotFound(lease.id) { try await client.keepAlive(lease.id) }
            await expectLeaseNotFound(lease.id) { _ = try await client.timeToLive(lease.id) }
        }
    }
}

/// Expects `body` to throw exactly ``EtcdError/leaseNotFound(id:)`` for `id`.
func expectLeaseNotFound(
    _ id: Int64, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected leaseNotFound(\(id)), nothing thrown", sourceLocation: sourceLocation)
    } catch let EtcdError.leaseNotFound(found) {
        #expect(found == id, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected leaseNotFound(\(id)), got \(error)", sourceLocation: sourceLocation)
    }
}
