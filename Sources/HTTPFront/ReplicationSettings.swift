/// The replication settings of `authd serve`. None set: a single node, exactly as before.
public struct ReplicationSettings: Sendable, Equatable {
    /// A `host:port` pair (IPv6 hosts in brackets: `[::1]:7000`).
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        /// Parses `host:port`; nil when it is not one.
        public init?(_ text: String) {
            var hostPart: Substring
            let portPart: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else { return nil }
                hostPart = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                portPart = rest.dropFirst()
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                hostPart = text[..<colon]
                portPart = text[text.index(after: colon)...]
                guard !hostPart.contains(":") else { return nil }
            }
            hostPart = hostPart.trimmingSpaces()
            guard !hostPart.isEmpty, hostPart.count <= 253, !hostPart.contains(where: { $0 == " " || $0 == "/" }),
                  portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart), (1...65535).contains(port)
            else { return nil }
            self.host = String(hostPart)
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// `REPLICATION_LISTEN`: accept followers here (a leader, or a follower ready to become one).
    public var listen: Endpoint?
    /// `REPLICATION_ADVERTISE`: how others reach `listen` (default: `listen`).
    public var advertise: Endpoint?
    /// `REPLICATE_FROM`: follow the leader at this address.
    public var leader: Endpoint?
    /// `REPLICATION_SECRET`: authenticates both ends (>= 32 bytes).
    public var secret: String?
    /// `SYNC_REPLICAS`: followers that must hold a record before its client is answered
    /// (default 1 when `REPLICATION_LISTEN` is set; 0 = asynchronous).
    public var syncReplicas = 1
    /// `SYNC_STRICT`: with fewer acknowledging followers, refuse writes instead of degrading.
    public var syncStrict = false
    /// `SYNC_TIMEOUT`: how long writes wait for followers before the leader degrades (or, strict,
    /// fails them).
    public var syncTimeoutSeconds = 2.0
    /// `REPLICA_MAX_LAG`: `/cluster/replica` answers 200 only below this lag.
    public var replicaMaxLagSeconds = 1.0
    /// `REPLICATION_MAX_RETAINED_BYTES`: WAL a leader keeps for connected followers at most.
    public var maxRetainedBytes = 1 << 30
    /// `NODE_NAME` (default: the host name, filled in by the caller).
    public var nodeName: String?
    /// `HTTP_ADVERTISE`: this node's URL for clients (default `http://HOST:PORT`).
    public var httpAdvertise: String?

    /// `CLUSTER_ETCD_ENDPOINTS`: automatic failover on these etcd members (`http://host:port`);
    /// empty: roles come from `REPLICATE_FROM` and `authd cluster promote`.
    public var etcdEndpoints: [String] = []
    /// `CLUSTER_NAME`: every key under `/authd/<name>/` (default `authd`).
    public var clusterName = "authd"
    /// `CLUSTER_LEASE_TTL`: the leader lease, whole seconds (default 5, at least 2).
    public var leaseTTLSeconds = 5

    /// Whether any replication role is configured.
    public var isEnabled: Bool { listen != nil || leader != nil || !etcdEndpoints.isEmpty }
    /// Whether roles come from etcd.
    public var isAutomatic: Bool { !etcdEndpoints.isEmpty }

    /// Every setting off.
    public init() {}

    /// The variables read, in documentation order.
    static let variableNames = [
        "REPLICATION_LISTEN", "REPLICATION_ADVERTISE", "REPLICATE_FROM", "REPLICATION_SECRET", "SYNC_REPLICAS", "SYNC_STRICT",
        "SYNC_TIMEOUT", "REPLICA_MAX_LAG", "REPLICATION_MAX_RETAINED_BYTES", "NODE_NAME", "HTTP_ADVERTISE",
        "CLUSTER_ETCD_ENDPOINTS", "CLUSTER_NAME", "CLUSTER_LEASE_TTL",
    ]

    static func parse(_ reader: inout ServerConfiguration.Reader) -> ReplicationSettings {
        var settings = ReplicationSettings()
        func endpoint(_ name: String) -> Endpoint? {
            guard let text = reader.string(name) else { return nil }
            guard let endpoint = Endpoint(text) else {
                reader.fail(name, text, "must be host:port (IPv6 in brackets, e.g. [::1]:7000)")
                return nil
            }
            return endpoint
        }
        func duration(_ name: String, _ range: ClosedRange<Double>) -> Double? {
            guard let text = reader.string(name) else { return nil }
            guard let seconds = DurationParser.seconds(text), range.contains(seconds) else {
                reader.fail(name, text, "must be a duration from \(range.lowerBound)s to \(range.upperBound)s such as 2s or 500ms")
                return nil
            }
            return seconds
        }
        settings.listen = endpoint("REPLICATION_LISTEN")
        settings.advertise = endpoint("REPLICATION_ADVERTISE")
        settings.leader = endpoint("REPLICATE_FROM")
        settings.secret = reader.secret("REPLICATION_SECRET")
        settings.syncReplicas = reader.integer("SYNC_REPLICAS", in: 0...16) ?? (settings.listen != nil ? 1 : 0)
        settings.syncStrict = reader.boolean("SYNC_STRICT") ?? false
        settings.syncTimeoutSeconds = duration("SYNC_TIMEOUT", 0.05...3600) ?? settings.syncTimeoutSeconds
        settings.replicaMaxLagSeconds = duration("REPLICA_MAX_LAG", 0.001...86_400) ?? settings.replicaMaxLagSeconds
        settings.maxRetainedBytes = reader.integer("REPLICATION_MAX_RETAINED_BYTES", in: (1 << 20)...(1 << 50)) ?? settings.maxRetainedBytes
        if let name = reader.string("NODE_NAME") {
            if name.utf8.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                settings.nodeName = name
            } else {
                reader.fail("NODE_NAME", name, "must be 1-128 characters of letters, digits, '-', '_' or '.'")
            }
        }
        if let url = reader.string("HTTP_ADVERTISE") {
            if (url.hasPrefix("http://") || url.hasPrefix("https://")) && url.utf8.count <= 512 && !url.contains(" ") {
                settings.httpAdvertise = url
            } else {
                reader.fail("HTTP_ADVERTISE", url, "must be an http:// or https:// URL")
            }
        }
        if let text = reader.string("CLUSTER_ETCD_ENDPOINTS") {
            let urls = text.split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
            if !urls.isEmpty, urls.count <= 16,
               urls.allSatisfy({ ($0.hasPrefix("http://") || $0.hasPrefix("https://")) && $0.utf8.count <= 256 && !$0.contains(" ") }) {
                settings.etcdEndpoints = urls
            } else {
                reader.fail("CLUSTER_ETCD_ENDPOINTS", text, "must be a comma-separated list of http://host:port URLs")
            }
        }
        if let name = reader.string("CLUSTER_NAME") {
            if (1...64).contains(name.utf8.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                settings.clusterName = name
            } else {
                reader.fail("CLUSTER_NAME", name, "must be 1-64 characters of letters, digits, '-', '_' or '.'")
            }
        }
        if let ttl = duration("CLUSTER_LEASE_TTL", 2...300) {
            if ttl == ttl.rounded() {
                settings.leaseTTLSeconds = Int(ttl)
            } else {
                reader.fail("CLUSTER_LEASE_TTL", "\(ttl)s", "must be whole seconds (etcd leases count in seconds)")
            }
        }
        if settings.isAutomatic {
            if settings.leader != nil {
                reader.problems.append("REPLICATE_FROM: cannot be used with CLUSTER_ETCD_ENDPOINTS (roles come from etcd)")
            }
            if settings.listen == nil, !reader.failed("REPLICATION_LISTEN") {
                reader.problems.append("REPLICATION_LISTEN: is required with CLUSTER_ETCD_ENDPOINTS (every node may become the leader)")
            }
        }
        if settings.isEnabled || reader.failed("REPLICATION_LISTEN") || reader.failed("REPLICATE_FROM") {
            if settings.secret == nil && !reader.failed("REPLICATION_SECRET") {
                reader.problems.append(
                    "REPLICATION_SECRET: is required with REPLICATION_LISTEN, REPLICATE_FROM or CLUSTER_ETCD_ENDPOINTS (at least \(ServerConfiguration.minimumSecretBytes) bytes)")
            }
        }
        if settings.advertise == nil { settings.advertise = settings.listen }
        return settings
    }
}
