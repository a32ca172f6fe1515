import Synchronization
import Testing
import WAL

@Suite struct ConcurrencyTests {
    @Test func concurrentAppendersGetDenseDurableLSNsAndShareFsyncs() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(segmentSize: 256 << 10)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        let tasks = 64, perTask = 50
        let lsns = try await withThrowingTaskGroup(of: [(UInt64, [UInt8])].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var mine: [(UInt64, [UInt8])] = []
                    for i in 0..<perTask {
                        let bytes = record(t * 1000 + i)
                        let lsn = log.append(bytes)
                        try await log.waitUntilDurable(lsn)
                        #expect(log.durableLSN >= lsn)
                        mine.append((lsn, bytes))
                    }
                    return mine
                }
            }
            var all: [(UInt64, [UInt8])] = []
            for try await part in group { all += part }
            return all
        }
        let total = tasks * perTask
        #expect(lsns.map(\.0).sorted() == Array(1...UInt64(total)))
        #expect(log.durableLSN == UInt64(total))
        let stats = log.statistics
        #expect(stats.records == UInt64(total))
        #expect(stats.recordsPerFsync > 1)
        #expect(stats.fsyncs < UInt64(total))
        await log.close()

        let byLSN = Dictionary(uniqueKeysWithValues: lsns)
        let records = try await replayAll(config)
        #expect(records.count == total)
        #expect(records.allSatisfy { byLSN[$0.lsn] == $0.bytes })
    }

    @Test func concurrentGroupsStayContiguous() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration()
        let log = try WriteAheadLog(configuration: config)
        log.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<16 {
                group.addTask {
                    for i in 0..<20 {
                        let items: [[UInt8]] = (0..<3).map { [UInt8(t), UInt8(i), UInt8($0)] }
                        try await log.waitUntilDurable(log.append(contentsOf: items))
                    }
                }
            }
            try await group.waitForAll()
        }
        await log.close()
        // Each group of three consecutive LSNs carries one task's consecutive records.
        let records = try await replayAll(config)
        #expect(records.count == 16 * 20 * 3)
        for g in stride(from: 0, to: records.count, by: 3) {
            let head = records[g].bytes
            #expect(head[2] == 0)
            #expect(records[g + 1].bytes == [head[0], head[1], 1])
            #expect(records[g + 2].bytes == [head[0], head[1], 2])
        }
    }
}
