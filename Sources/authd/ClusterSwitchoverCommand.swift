import ArgumentParser
import Etcd
import Failover
import Foundation
import HTTPFront
import NIOCore

/// `authd cluster switchover --to NODE`: a planned change of leader with nothing acknowledged
/// lost. It writes a switchover request to etcd (bound to a lease of its own, so a request whose
/// requester dies ends by itself); the leader fences, waits until the target holds every record
/// and gives its lease back; only the target may campaign meanwhile. The command waits until the
/// target confirms writes and prints how long writes were unavailable.
struct ClusterSwitchoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchover",
        abstract: "Hand the leadership to a follower of the sync set (etcd clusters): no acknowledged write lost."
    )

    @Option(help: "etcd client URLs (comma-separated), e.g. http://127.0.0.1:2379.")
    var etcd: String

    @Option(help: "CLUSTER_NAME (default authd).")
    var cluster = "authd"

    @Option(help: "The node that takes over (its NODE_NAME).")
    var to: String

    @Option(help: "How long the leader may wait, writes paused, for the target to hold every record, e.g. 10s.")
    var timeout = "10s"

    @Flag(help: "Print the outcome as JSON.")
    var json = false

    func validate() throws {
        guard let seconds = DurationParser.seconds(timeout), seconds >= 1, seconds <= 300 else {
            throw ValidationError("--timeout must be a duration from 1s to 5m such as 10s")
        }
        guard !to.isEmpty else { throw ValidationError("--to names the node that takes over") }
    }

    func run() async throws {
        let endpoints = etcd.split(separator: ",").map(String.init)
        let client = EtcdClient(endpoints: endpoints, requestTimeout: .seconds(3))
        let outcome: Result<SwitchoverOutcome, SwitchoverFailure>
        do {
            outcome = .success(try await switchover(client: client))
        } catch let failure as SwitchoverFailure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(.etcd("\(error)"))
        }
        try? await client.shutdown()
        switch outcome {
        case .success(let done):
            print(json ? done.json() : done.text())
        case .failure(let failure):
            print(json ? failure.json() : "switchover failed: \(failure)")
            throw ExitCode(1)
        }
    }

    private func switchover(client: EtcdClient) async throws -> SwitchoverOutcome {
        let keys = ClusterKeys(clusterName: cluster)
        let seconds = DurationParser.seconds(timeout) ?? 10
        let before = try await ClusterReport.read(client: client, keys: keys)
        guard let leader = before.leader else { throw SwitchoverFailure.noLeader }
        guard leader.record.node != to else { throw SwitchoverFailure.alreadyLeader(to) }
        guard before.members.contains(where: { $0.node == to }) else {
            throw SwitchoverFailure.notAMember(to, members: before.members.map(\.node))
        }
        if let sync = before.syncSet, sync.term == leader.term, !sync.members.isEmpty, !sync.members.contains(to) {
            throw SwitchoverFailure.notInSyncSet(to, members: sync.members)
        }
        if let pending = before.switchover { throw SwitchoverFailure.inProgress(pending.from, pending.to) }

        // The request lives while this command waits (the timeout, then room to be elected).
        let lease = try await client.grantLease(ttlSeconds: Int64(seconds.rounded(.up)) + 10)
        do {
            let outcome = try await request(client: client, keys: keys, before: before, leader: leader.record, lease: lease.id,
                                            seconds: seconds)
            try? await client.revoke(lease.id)
            return outcome
        } catch {
            // The request ends with its lease; a leader waiting for the target confirms again.
            try? await client.revoke(lease.id)
            throw error
        }
    }

    private func request(client: EtcdClient, keys: ClusterKeys, before: ClusterReport, leader: LeaderRecord, lease: Int64,
                         seconds: Double) async throws -> SwitchoverOutcome {
        let requestedAt = Int64(Date().timeIntervalSince1970 * 1000)
        let record = SwitchoverRecord(from: leader.node, to: to, timeoutMilliseconds: Int64(seconds * 1000),
                                      requestedAt: requestedAt)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = Array(try encoder.encode(record))
        let started = NIODeadline.now()
        // Only while the leader is still the one read and no other request exists.
        let written = try await client.transaction(
            EtcdTransaction(
                compares: [.modRevision(of: keys.leader, .equal, before.leaderModRevision),
                           .createRevision(of: keys.switchover, .equal, 0)],
                success: [.put(key: keys.switchover, value: value, lease: lease)]))
        guard written.succeeded else { throw SwitchoverFailure.changedMeanwhile }

        let deadline = started + .milliseconds(Int64(seconds * 1000) + 10_000)
        var fromLeaderGone: NIODeadline?
        while NIODeadline.now() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
            guard let now = try? await ClusterReport.read(client: client, keys: keys) else { continue }
            if now.leader?.record.node != leader.node, fromLeaderGone == nil { fromLeaderGone = NIODeadline.now() }
            if let current = now.leader, current.record.node == to, let sync = now.syncSet, sync.leader == to, sync.term == current.term {
                let elapsed = NIODeadline.now() - started
                return SwitchoverOutcome(
                    from: leader.node, to: to, term: current.term,
                    writesUnavailableMilliseconds: Double(elapsed.nanoseconds) / 1e6,
                    handoverMilliseconds: fromLeaderGone.map { Double(($0 - started).nanoseconds) / 1e6 })
            }
            if now.switchover == nil, now.leader?.record.node == leader.node {
                throw SwitchoverFailure.refusedByLeader(leader.node)
            }
            if let current = now.leader, current.record.node != leader.node, current.record.node != to {
                throw SwitchoverFailure.otherLeader(current.record.node)
            }
        }
        throw SwitchoverFailure.timedOut
    }
}

/// A switchover that took place.
struct SwitchoverOutcome {
    var from: String
    var to: String
    var term: Int64
    /// From the request to the target confirming writes (an upper bound on the write gap).
    var writesUnavailableMilliseconds: Double
    /// From the request to the old leader giving the key back.
    var handoverMilliseconds: Double?

    func text() -> String {
        var line = "switched over: \(from) -> \(to) at term \(term); writes unavailable at most "
            + String(format: "%.0f ms", writesUnavailableMilliseconds)
        if let handoverMilliseconds { line += String(format: " (the old leader resigned after %.0f ms)", handoverMilliseconds) }
        return line
    }

    func json() -> String {
        var object: [String: Any] = ["from": from, "to": to, "term": term, "writesUnavailableMilliseconds": writesUnavailableMilliseconds]
        object["handoverMilliseconds"] = handoverMilliseconds ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why a switchover did not take place.
enum SwitchoverFailure: Error, CustomStringConvertible {
    case noLeader
    case alreadyLeader(String)
    case notAMember(String, members: [String])
    case notInSyncSet(String, members: [String])
    case inProgress(String, String)
    case changedMeanwhile
    case refusedByLeader(String)
    case otherLeader(String)
    case timedOut
    case etcd(String)

    var description: String {
        switch self {
        case .noLeader: "no leader holds the key; a switchover needs one (a failover is under way, or the cluster is down)"
        case .alreadyLeader(let node): "\(node) is already the leader"
        case .notAMember(let node, let members): "\(node) is not a member (members: \(members.joined(separator: ", ")))"
        case .notInSyncSet(let node, let members):
            "\(node) is not in the sync set (\(members.joined(separator: ", "))): it may lack acknowledged writes"
        case .inProgress(let from, let to): "a switchover \(from) -> \(to) is already in progress"
        case .changedMeanwhile: "the leader changed, or another switchover began, while the request was made"
        case .refusedByLeader(let node):
            "\(node) ended the request and still leads: the target was not in its sync set or did not hold every record within --timeout (its log says which)"
        case .otherLeader(let node): "\(node) took over instead (a failover happened meanwhile)"
        case .timedOut: "the target did not confirm writes in time; see `authd cluster status --etcd`"
        case .etcd(let reason): "etcd: \(reason)"
        }
    }

    func json() -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": description], options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
