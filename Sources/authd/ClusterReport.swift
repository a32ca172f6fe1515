import Etcd
import Failover
import Foundation

/// The cluster as etcd records it, for `authd cluster status --etcd`: who leads at which term,
/// the sync set, every member's position, the last failover.
struct ClusterReport {
    var leader: (record: LeaderRecord, term: Int64)?
    var syncSet: SyncSetRecord?
    var members: [MemberRecord]
    var lastFailover: FailoverCoordinator.FailoverRecord?
    /// A switchover in progress.
    var switchover: SwitchoverRecord?
    /// The leader key's mod revision (a switchover request is conditioned on it).
    var leaderModRevision: Int64 = 0

    static func read(endpoints: [String], clusterName: String) async throws -> ClusterReport {
        let client = EtcdClient(endpoints: endpoints, requestTimeout: .seconds(3))
        do {
            let report = try await read(client: client, keys: ClusterKeys(clusterName: clusterName))
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func read(client: EtcdClient, keys: ClusterKeys) async throws -> ClusterReport {
        let range = try await client.range(prefix: keys.prefix)
        var report = ClusterReport(leader: nil, syncSet: nil, members: [], lastFailover: nil)
        let decoder = JSONDecoder()
        for kv in range.keyValues {
            let key = String(decoding: kv.keyBytes, as: UTF8.self)
            let value = Data(kv.value)
            if key == keys.leader, let record = try? decoder.decode(LeaderRecord.self, from: value) {
                report.leader = (record, kv.createRevision)
                report.leaderModRevision = kv.modRevision
            } else if key == keys.switchover {
                report.switchover = try? decoder.decode(SwitchoverRecord.self, from: value)
            } else if key == keys.syncSet {
                report.syncSet = try? decoder.decode(SyncSetRecord.self, from: value)
            } else if key == keys.lastFailover {
                report.lastFailover = try? decoder.decode(FailoverCoordinator.FailoverRecord.self, from: value)
            } else if key.hasPrefix(keys.members), let member = try? decoder.decode(MemberRecord.self, from: value) {
                report.members.append(member)
            }
        }
        report.members.sort { $0.node < $1.node }
        return report
    }

    /// Records the leader holds that a member has not made durable (nil: no leader member).
    func lag(of member: MemberRecord) -> UInt64? {
        guard let leader, let leading = members.first(where: { $0.node == leader.record.node }) else { return nil }
        return leading.durableLSN > member.durableLSN ? leading.durableLSN - member.durableLSN : 0
    }

    func text() -> String {
        var lines: [String] = []
        if let leader {
            lines.append("leader   \(leader.record.node)  term \(leader.term)  \(leader.record.http)")
        } else {
            lines.append("leader   none")
        }
        if let sync = syncSet {
            lines.append("sync set \(sync.members.isEmpty ? "(empty)" : sync.members.joined(separator: ", "))  published by \(sync.leader) at term \(sync.term)")
        }
        for member in members {
            let lag = self.lag(of: member).map { "  lag \($0) records" } ?? ""
            lines.append("member   \(member.node)  \(member.role)  durable \(member.durableLSN)  applied \(member.appliedLSN)\(lag)  \(member.http)")
        }
        if let failover = lastFailover {
            var line = "failover term \(failover.term): \(failover.previousLeader ?? "?") -> \(failover.leader)"
            if let lost = failover.leaderLostAt {
                line += String(format: ", writes unavailable %.2f s (no leader key seen to writable)", Double(failover.writableAt - lost) / 1000)
            }
            lines.append(line)
        }
        if let switchover {
            lines.append("switchover requested: \(switchover.from) -> \(switchover.to)")
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        var object: [String: Any] = [:]
        if let leader {
            object["leader"] = ["node": leader.record.node, "term": leader.term, "http": leader.record.http,
                                "replication": leader.record.replication]
        } else {
            object["leader"] = NSNull()
        }
        object["term"] = leader?.term ?? NSNull()
        if let sync = syncSet { object["syncSet"] = ["leader": sync.leader, "term": sync.term, "members": sync.members] }
        object["members"] = members.map { member -> [String: Any] in
            var entry: [String: Any] = [
                "node": member.node, "role": member.role, "http": member.http, "replication": member.replication,
                "term": member.term, "durableLSN": member.durableLSN, "appliedLSN": member.appliedLSN, "updatedAt": member.updatedAt,
            ]
            entry["lagRecords"] = lag(of: member) ?? NSNull()
            return entry
        }
        if let failover = lastFailover {
            var entry: [String: Any] = ["term": failover.term, "leader": failover.leader, "writableAt": failover.writableAt]
            entry["previousLeader"] = failover.previousLeader ?? NSNull()
            entry["leaderLostAt"] = failover.leaderLostAt ?? NSNull()
            entry["writesUnavailableMilliseconds"] = failover.leaderLostAt.map { failover.writableAt - $0 } ?? NSNull()
            object["lastFailover"] = entry
        }
        if let switchover { object["switchover"] = ["from": switchover.from, "to": switchover.to, "requestedAt": switchover.requestedAt] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
