import Foundation
import Testing
import WAL

@Suite struct TornTailTests {
    /// Writes `count` single-record frames and returns the frames.
    func writeFrames(_ dir: TestDirectory, count: Int, size: Int = 20) async throws -> [WALReader.FrameInfo] {
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        for i in 1...count {
            try await log.waitUntilDurable(log.append(record(i, size: size)))
        }
        await log.close()
        return try frames(dir)
    }

    @Test func cutAtEveryByteOfTheLastFrame() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let found = try await writeFrames(dir, count: 4)
        let segment = dir.segments()[0]
        let original = Files.read(segment)
        let lastOffset = found[3].offset
        #expect(original.count > lastOffset)
        for cut in lastOffset..<original.count {
            for name in dir.walFiles() where name.contains(".broken") {
                try FileManager.default.removeItem(atPath: dir.walDirectory + "/" + name)
            }
            Files.write(segment, Array(original[0..<cut]))
            let log = try WriteAheadLog(configuration: dir.configuration())
            var records: [WALRecord] = []
            try log.replay(after: 0) { records.append($0) }
            #expect(records.map(\.lsn) == [1, 2, 3], "cut at \(cut)")
            #expect(log.lastAppendedLSN == 3)
            let report = log.recoveryReport
            if cut == lastOffset {
                #expect(report.cuts.isEmpty)
            } else {
                let c = try #require(report.cut, "cut at \(cut)")
                #expect(c.segment == segment)
                #expect(c.offset == lastOffset)
                #expect(c.bytes >= 1 && c.bytes <= cut - lastOffset)
                let copy = try #require(c.copyPath)
                #expect(copy == segment + ".broken")
                #expect(Files.read(copy) == Array(original[lastOffset..<(lastOffset + c.bytes)]))
                #expect(Files.read(segment).count == lastOffset)
            }
            await log.close()
        }
        // After a cut the log continues at the next LSN.
        let log = try WriteAheadLog(configuration: dir.configuration())
        log.start()
        let lsn = log.append(record(99))
        #expect(lsn == 4)
        try await log.waitUntilDurable(lsn)
        await log.close()
        #expect(try await replayAll(dir.configuration()).map(\.lsn) == [1, 2, 3, 4])
    }

    @Test func zeroedTailSectorIsCut() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let found = try await writeFrames(dir, count: 3, size: 3000)
        let segment = dir.segments()[0]
        var bytes = Files.read(segment)
        // A sector inside the last frame never reached the disk.
        let start = found[2].offset + 1024
        for i in start..<(start + 512) { bytes[i] = 0 }
        Files.write(segment, bytes)
        let log = try WriteAheadLog(configuration: dir.configuration())
        let cut = try #require(log.recoveryReport.cut)
        #expect(cut.offset == found[2].offset)
        #expect(cut.reason.contains("checksum"))
        #expect(Files.exists(segment + ".broken"))
        #expect(log.lastAppendedLSN == 2)
        await log.close()
    }

    @Test func zeroedFrameStartWithDataAfterIsCut() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let found = try await writeFrames(dir, count: 3, size: 3000)
        let segment = dir.segments()[0]
        var bytes = Files.read(segment)
        for i in found[2].offset..<(found[2].offset + 512) { bytes[i] = 0 }
        Files.write(segment, bytes)
        let log = try WriteAheadLog(configuration: dir.configuration())
        #expect(log.recoveryReport.cut?.offset == found[2].offset)
        #expect(log.lastAppendedLSN == 2)
        await log.close()
    }

    @Test func preallocatedZerosAreNotDamage() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        _ = try await writeFrames(dir, count: 3)
        let segment = dir.segments()[0]
        Files.write(segment, Files.read(segment) + [UInt8](repeating: 0, count: 100_000))
        let log = try WriteAheadLog(configuration: dir.configuration())
        #expect(log.recoveryReport.cuts.isEmpty)
        #expect(log.lastAppendedLSN == 3)
        log.start()
        try await log.waitUntilDurable(log.append(record(4)))
        await log.close()
        #expect(try await replayAll(dir.configuration()).count == 4)
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
    }

    @Test func writerPreallocatesTheSegmentWhileIdle() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let config = dir.configuration(segmentSize: 2 << 20, preallocate: true)
        let log = try WriteAheadLog(configuration: config)
        log.start()
        try await log.waitUntilDurable(log.append(record(1)))
        #expect(await eventually { log.statistics.preallocatedBytes >= UInt64(2 << 20) - 4096 })
        try await log.waitUntilDurable(log.append(record(2)))
        await log.close()
        #expect(Files.read(dir.segments()[0]).count == 2 << 20)
        let again = try WriteAheadLog(configuration: config)
        #expect(again.recoveryReport.cuts.isEmpty)
        #expect(again.lastAppendedLSN == 2)
        await again.close()
    }

    @Test func tornSegmentHeaderRemovesTheSegment() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        _ = try await writeFrames(dir, count: 2)
        // A crash right after creating the next segment file, before its header was written.
        let next = dir.walDirectory + "/00000000000000000003.wal"
        Files.write(next, [0x57, 0x4C, 0, 0])
        let log = try WriteAheadLog(configuration: dir.configuration())
        let cut = try #require(log.recoveryReport.cut)
        #expect(cut.segment == next)
        #expect(cut.offset == 0)
        #expect(Files.exists(next + ".broken"))
        #expect(log.lastAppendedLSN == 2)
        log.start()
        #expect(log.append(record(3)) == 3)
        try await log.flush()
        await log.close()
        #expect(try await replayAll(dir.configuration()).count == 3)
    }
}
