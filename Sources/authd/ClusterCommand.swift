import ArgumentParser
import Foundation

/// `authd cluster ...`: operator commands for a replicated group.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Promote a follower, switch the leader over, or show the replication status.",
        subcommands: [ClusterPromoteCommand.self, ClusterStatusCommand.self, ClusterSwitchoverCommand.self]
    )
}

/// `authd cluster promote`: the follower on this data directory becomes the leader at the next term.
struct ClusterPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Make the follower running on --data-dir the leader (through DATA_DIR/admin.sock)."
    )

    @Option(name: .customLong("data-dir"), help: "The follower's data directory.")
    var dataDirectory = "./data"

    @Flag(help: "Promote even when this node is behind the last LSN its leader had acknowledged (acknowledged writes may be lost).")
    var force = false

    @Option(help: "How long to wait for the answer, e.g. 30s.")
    var timeout = "60s"

    func run() throws {
        let answer = try AdminClient.request(force ? "promote force" : "promote", dataDirectory: dataDirectory, timeout: timeout)
        guard answer.hasPrefix("ok ") else {
            print("promote failed: \(answer.hasPrefix("error ") ? String(answer.dropFirst(6)) : answer)")
            throw ExitCode(1)
        }
        print("promoted: \(answer.dropFirst(3))")
    }
}

/// `authd cluster status`: a node's `/cluster` document, or (with `--etcd`) the whole cluster
/// as etcd records it.
struct ClusterStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a node's replication status (GET <url>/cluster), or with --etcd the cluster's: leader, term, sync set, members, last failover."
    )

    @Option(help: "The node's HTTP URL, e.g. http://127.0.0.1:3000.")
    var url: String?

    @Option(help: "etcd client URLs (comma-separated), e.g. http://127.0.0.1:2379.")
    var etcd: String?

    @Option(help: "CLUSTER_NAME (default authd).")
    var cluster = "authd"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (url == nil) != (etcd == nil) else { throw ValidationError("give either --url or --etcd") }
    }

    func run() async throws {
        if let etcd {
            let endpoints = etcd.split(separator: ",").map(String.init)
            do {
                let report = try await ClusterReport.read(endpoints: endpoints, clusterName: cluster)
                print(json ? report.json() : report.text())
            } catch {
                print("cluster status: \(error)")
                throw ExitCode(1)
            }
            return
        }
        guard let url else { return }
        let body: Data
        do { body = try HTTPGet.fetch(url.hasSuffix("/") ? url + "cluster" : url + "/cluster") } catch {
            print("cluster status: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            print("cluster status: not a cluster node (\(String(decoding: body.prefix(200), as: UTF8.self)))")
            throw ExitCode(1)
        }
        let lsn = object["lsn"] as? [String: Any] ?? [:]
        print("node     \(object["node"] ?? "?")  role \(object["role"] ?? "?")  term \(object["term"] ?? "?")")
        print("leader   \(object["leader"] as? String ?? "unknown")")
        print("lsn      appended \(lsn["appended"] ?? 0)  durable \(lsn["durable"] ?? 0)  applied \(lsn["applied"] ?? 0)")
        if let mode = object["mode"] { print("mode     \(mode)") }
        for follower in object["followers"] as? [[String: Any]] ?? [] {
            print("follower \(follower["name"] ?? "?")  acknowledged \(follower["acknowledgedLSN"] ?? 0)  lag \(follower["lagRecords"] ?? 0) records"
                + "  synchronous \(follower["synchronous"] ?? false)  streaming \(follower["streaming"] ?? false)")
        }
        if let lag = object["lag"] as? [String: Any] {
            print("lag      \(lag["records"] ?? 0) records, \(lag["milliseconds"] ?? 0) ms; streaming \(object["streaming"] ?? false)")
        }
    }
}
