import Testing
@testable import HTTPFront

/// The storage settings the durability docs promise exist and mean what they say.
@Suite struct StorageSettingsTests {
    func parse(_ values: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfiguration.parse(values, cores: 2)
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
