import Testing
@testable import HTTPFront

/// The storage settings the durability docs promise exist and mean what they say.
@Suite struct StorageSettingsTests {
    func parse(_ values: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfigurationTests().parse(values)
    }

    @Test func walRetainSegmentsIsASetting() throws {
        #expect(try parse([:]).walRetainSegments == nil)
        #expect(try parse(["WAL_RETAIN_SEGMENTS": "6"]).walRetainSegments == 6)
        #expect(throws: ConfigurationError.self) { try parse(["WAL_RETAIN_SEGMENTS": "-1"]) }
        #expect(throws: ConfigurationError.self) { try parse(["WAL_RETAIN_SEGMENTS": "many"]) }
    }

    @Test func snapshotEveryBytesZeroMeansOnDemandOnly() throws {
        #expect(try parse(["SNAPSHOT_EVERY_BYTES": "0"]).snapshotEveryBytes == 0)
        #expect(try parse(["SNAPSHOT_EVERY_BYTES": "1048576"]).snapshotEveryBytes == 1_048_576)
        #expect(throws: ConfigurationError.self) { try parse(["SNAPSHOT_EVERY_BYTES": "-5"]) }
    }
}

/// Replication settings: off by default, checked as a whole when on.
@Suite struct ReplicationSettingsTests {
    let secret = String(repeating: "r", count: 32)

    func parse(_ values: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfigurationTests().parse(values)
    }

    func problems(_ values: [String: String]) -> [String] { ServerConfigurationTests().problems(values) }

    @Test func offByDefault() throws {
        let settings = try parse([:]).replication
        #expect(!settings.isEnabled)
        #expect(settings.syncReplicas == 0)
    }

    @Test func leaderAndFollowerSettings() throws {
        let leader = try parse(["REPLICATION_LISTEN": "127.0.0.1:7000", "REPLICATION_SECRET": secret, "NODE_NAME": "n1"]).replication
        #expect(leader.listen == .init("127.0.0.1:7000"))
        #expect(leader.advertise == leader.listen)
        #expect(leader.syncReplicas == 1)
        #expect(leader.nodeName == "n1")
        let follower = try parse([
            "REPLICATE_FROM": "[::1]:7000", "REPLICATION_SECRET": secret, "SYNC_TIMEOUT": "500ms", "SYNC_STRICT": "true",
            "HTTP_ADVERTISE": "http://10.0.0.2:3000",
        ]).replication
        #expect(follower.leader?.host == "::1")
        #expect(follower.leader?.port == 7000)
        #expect(follower.syncReplicas == 0)
        #expect(follower.syncTimeoutSeconds == 0.5)
        #expect(follower.syncStrict)
        #expect(follower.httpAdvertise == "http://10.0.0.2:3000")
    }

    @Test func everyProblemIsNamed() {
        #expect(problems(["REPLICATION_LISTEN": "127.0.0.1:7000"]).contains { $0.hasPrefix("REPLICATION_SECRET:") })
        #expect(problems(["REPLICATE_FROM": "10.0.0.1:7000", "REPLICATION_SECRET": "short"]).contains { $0.hasPrefix("REPLICATION_SECRET:") })
        let bad = problems([
            "REPLICATION_LISTEN": "nope", "REPLICATION_SECRET": secret, "SYNC_REPLICAS": "99", "SYNC_TIMEOUT": "forever",
            "NODE_NAME": "a b", "HTTP_ADVERTISE": "ftp://x", "REPLICATE_FROM": "host:99999",
        ])
        for name in ["REPLICATION_LISTEN", "SYNC_REPLICAS", "SYNC_TIMEOUT", "NODE_NAME", "HTTP_ADVERTISE", "REPLICATE_FROM"] {
            #expect(bad.contains { $0.hasPrefix(name + ":") }, "\(name)")
        }
    }
}
