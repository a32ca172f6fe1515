import Foundation
import Locking
import Testing
@testable import HTTPFront

/// The front asks the cluster gate before every mutation and serves the cluster endpoints; a
/// single node (no gate) behaves as before.
@Suite(.timeLimit(.minutes(2))) struct ClusterGateTests {
    final class Role: Sendable {
        let refusal = LockedValue<ClusterRefusal?>(nil)
        let leader = LockedValue(true)
        let replica = LockedValue(false)
        let figures = LockedValue(ClusterFigures(role: "leader", term: 3, writable: true))

        var gate: ClusterGate {
            ClusterGate(
                refusal: { self.refusal.withLock { $0 } },
                status: { Array(#"{"node":"n1","role":"leader","term":3}"#.utf8) },
                acceptsWrites: { self.leader.withLock { $0 } },
                isHealthyReplica: { self.replica.withLock { $0 } },
                figures: { self.figures.withLock { $0 } })
        }
    }

    func withServer(_ role: Role?, metrics: Bool = false,
                    _ body: (TestServer, FakeAuthService) async throws -> Void) async throws {
        let service = FakeAuthService()
        let server = try await TestServer.start(service: service) {
            $0.cluster = role?.gate
            $0.metricsEnabled = metrics
        }
        do { try await body(server, service) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    let login = #"{"email":"a@example.com","password":"password123"}"#

    @Test func followerRefusesMutationsWithTheLeadersURL() async throws {
        let role = Role()
        role.refusal.withLock { $0 = .notLeader(leaderURL: "http://10.0.0.1:3000") }
        try await withServer(role) { server, _ in
            for (method, path, body) in [("POST", "/v1/auth/sessions", login), ("POST", "/v1/auth/register", login),
                                         ("POST", "/v1/auth/tokens/refresh", #"{"refreshToken":"x"}"#),
                                         ("DELETE", "/v1/auth/sessions", nil)] {
                let response = try await server.request(method, path, body: body)
                #expect(response.status == 503, "\(path)")
                #expect(response.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "NOT_LEADER")
                #expect(response.header("X-Authd-Leader") == "http://10.0.0.1:3000")
                #expect(response.header("Retry-After") == "1")
            }
            // Reads are served by the follower itself.
            let me = try await server.request("GET", "/v1/auth/me", headers: [("Authorization", "Bearer \(FakeAuthService.accessToken)")])
            #expect(me.status == 200)
        }
    }

    @Test func unknownLeaderOmitsTheHeaderAndStrictLeaderSaysUnavailable() async throws {
        let role = Role()
        role.refusal.withLock { $0 = .notLeader(leaderURL: nil) }
        try await withServer(role) { server, _ in
            let response = try await server.request("POST", "/v1/auth/sessions", body: login)
            #expect(response.status == 503)
            #expect(response.header("X-Authd-Leader") == nil)
            role.refusal.withLock { $0 = .writesUnavailable(reason: "too few replicas acknowledge") }
            let strict = try await server.request("POST", "/v1/auth/sessions", body: login)
            #expect(strict.status == 503)
            #expect(strict.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "SERVICE_UNAVAILABLE")
            role.refusal.withLock { $0 = nil }
            let served = try await server.request("POST", "/v1/auth/sessions", body: login)
            #expect(served.status == 200)
        }
    }

    @Test func metricsShowTheRoleTheFollowersAndWhatWasShipped() async throws {
        let role = Role()
        role.figures.withLock {
            $0.followers = [.init(name: "node-b", lagRecords: 7, lagSeconds: 0.25, synchronous: true),
                            .init(name: "node-c", lagRecords: 900, lagSeconds: 4, synchronous: false)]
            $0.recordsShipped = 40
            $0.bytesShipped = 4096
        }
        try await withServer(role, metrics: true) { server, _ in
            let first = try await server.request("GET", "/metrics").text
            for line in [#"authd_cluster_role{role="leader"} 1.0"#, #"authd_cluster_role{role="follower"} 0.0"#, "authd_cluster_term 3.0",
                         "authd_cluster_writable 1.0", #"authd_replication_lag_records{follower="node-b"} 7.0"#,
                         #"authd_replication_lag_seconds{follower="node-c"} 4.0"#,
                         #"authd_replication_follower_synchronous{follower="node-c"} 0.0"#, "authd_replication_sync_followers 1.0",
                         "authd_replication_records_shipped_total 40", "authd_replication_bytes_shipped_total 4096",
                         "authd_replication_degraded 0.0"] {
                #expect(first.contains(line + "\n"), "\(line)")
            }
            // Counters follow the cluster layer's totals; a follower now, with a leader's lag.
            role.figures.withLock {
                $0 = ClusterFigures(role: "follower", term: 4, writable: false)
                $0.streaming = true
                $0.replicaLagSeconds = 0.5
                $0.recordsShipped = 0
            }
            let second = try await server.request("GET", "/metrics").text
            for line in [#"authd_cluster_role{role="follower"} 1.0"#, "authd_cluster_term 4.0", "authd_cluster_writable 0.0",
                         "authd_replication_streaming 1.0", "authd_replication_replica_lag_seconds 0.5",
                         "authd_replication_records_shipped_total 40", #"authd_replication_lag_records{follower="node-b"} 0.0"#] {
                #expect(second.contains(line + "\n"), "\(line)")
            }
            // Without etcd there is no failover series (no "no leader" alert on a manual cluster).
            #expect(!second.contains("authd_cluster_leader_present"))
            role.figures.withLock {
                $0.failover = .init(failovers: 2, leaderPresent: true, renewalsSucceeded: 30, renewalsFailed: 1, syncSetSize: 1)
            }
            let third = try await server.request("GET", "/metrics").text
            for line in ["authd_cluster_leader_present 1.0", "authd_cluster_failovers_total 2", "authd_cluster_sync_set_size 1.0",
                         #"authd_cluster_lease_renewals_total{outcome="ok"} 30"#] {
                #expect(third.contains(line + "\n"), "\(line)")
            }
        }
    }

    @Test func clusterEndpointsFollowTheRole() async throws {
        let role = Role()
        try await withServer(role) { server, _ in
            let status = try await server.request("GET", "/cluster")
            #expect(status.status == 200)
            #expect(status.json["term"] as? Int == 3)
            #expect(try await server.request("GET", "/cluster/leader").status == 200)
            #expect(try await server.request("GET", "/cluster/replica").status == 503)
            role.leader.withLock { $0 = false }
            role.replica.withLock { $0 = true }
            #expect(try await server.request("GET", "/cluster/leader").status == 503)
            #expect(try await server.request("GET", "/cluster/replica").status == 200)
        }
    }

    @Test func singleNodeHasNoClusterEndpoints() async throws {
        try await withServer(nil) { server, _ in
            for path in ["/cluster", "/cluster/leader", "/cluster/replica"] {
                let response = try await server.request("GET", path)
                #expect(response.status == 404)
            }
            let login = try await server.request("POST", "/v1/auth/sessions", body: self.login)
            #expect(login.status == 200)
        }
    }
}
