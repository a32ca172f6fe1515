import Foundation
import Synchronization
import Testing
@testable import HTTPFront

/// The front asks the cluster gate before every mutation and serves the cluster endpoints; a
/// single node (no gate) behaves as before.
@Suite(.timeLimit(.minutes(2))) struct ClusterGateTests {
    final class Role: Sendable {
        let refusal = Mutex<ClusterRefusal?>(nil)
        let leader = Mutex(true)
        let replica = Mutex(false)

        var gate: ClusterGate {
            ClusterGate(
                refusal: { self.refusal.withLock { $0 } },
                status: { Array(#"{"node":"n1","role":"leader","term":3}"#.utf8) },
                acceptsWrites: { self.leader.withLock { $0 } },
                isHealthyReplica: { self.replica.withLock { $0 } })
        }
    }

    func withServer(_ role: Role?, _ body: (TestServer, FakeAuthService) async throws -> Void) async throws {
        let service = FakeAuthService()
        let server = try await TestServer.start(service: service) { $0.cluster = role?.gate }
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
