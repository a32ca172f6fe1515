import ArgumentParser
import Foundation
import Glibc
import Synchronization
import WAL

/// `authd wal bench`: our pg_test_fsync. Measures this disk's raw 4 KiB write + fdatasync rate on a
/// pre-written file, then appends/s through `WriteAheadLog` in mode `always` at several numbers of
/// concurrent writers, and prints records per fsync and the ratio to the raw fdatasync rate.
/// Works in a scratch directory under `--data-dir`, removed afterwards.
struct WALBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure raw fdatasync rate and WAL group-commit throughput on this disk."
    )

    @OptionGroup var options: WALDataDirectoryOptions

    @Option(help: "Seconds per measurement point.")
    var seconds: Double = 2.5

    @Option(help: "Concurrent writer counts to measure, comma separated.")
    var writers: String = "1,8,64,256"

    @Option(help: "Bytes per record.")
    var recordSize: Int = 128

    @Option(help: "WAL segment size in bytes (pre-written before each point).")
    var segmentSize: Int = 64 << 20

    @Flag(help: "Print the results as JSON.")
    var json = false

    struct RawResult: Codable {
        var syncsPerSecond: Double
        var p50Micros: Double
        var p99Micros: Double
    }

    struct Point: Codable {
        var writers: Int
        var records: UInt64
        var recordsPerSecond: Double
        var fsyncs: UInt64
        var recordsPerFsync: Double
        var averageFsyncMicros: Double
        var ratioToRawFdatasync: Double
        var compressionRatio: Double
    }

    struct Report: Codable {
        var directory: String
        var secondsPerPoint: Double
        var recordSize: Int
        var raw: RawResult
        var points: [Point]
    }

    func run() async throws {
        let counts = writers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }), seconds > 0, recordSize >= 0 else {
            printError("wal bench: bad --writers/--seconds/--record-size")
            throw ExitCode(64)
        }
        let scratch = options.dataDirectory + "/wal-bench-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            printError("wal bench: cannot create \(scratch): \(error)")
            throw ExitCode(2)
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        if !json { print("wal bench in \(scratch), \(seconds) s per point, \(recordSize)-byte records") }
        let raw: RawResult
        do {
            raw = try measureRaw(path: scratch + "/raw.bin")
        } catch {
            printError("wal bench: raw fdatasync measurement failed: \(error)")
            throw ExitCode(2)
        }
        if !json {
            print(String(format: "raw 4 KiB write+fdatasync, pre-written file: %.0f/s (p50 %.0f us, p99 %.0f us)",
                         raw.syncsPerSecond, raw.p50Micros, raw.p99Micros))
            print("writers  records/s  fsyncs  records/fsync  avg-fsync-us  x-raw-fdatasync")
        }
        var points: [Point] = []
        for n in counts {
            let point: Point
            do {
                point = try await measureWAL(directory: scratch + "/w\(n)", writers: n, raw: raw.syncsPerSecond)
            } catch {
                printError("wal bench: \(n) writers failed: \(error)")
                throw ExitCode(2)
            }
            points.append(point)
            if !json {
                print(String(format: "%7d  %9.0f  %6llu  %13.1f  %12.0f  %15.2f",
                             n, point.recordsPerSecond, point.fsyncs, point.recordsPerFsync,
                             point.averageFsyncMicros, point.ratioToRawFdatasync))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(directory: scratch, secondsPerPoint: seconds, recordSize: recordSize, raw: raw, points: points)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }

    /// 4 KiB pwrite + fdatasync in a loop over a 16 MiB file written in full (and synced) first.
    func measureRaw(path: String) throws -> RawResult {
        let fileSize = 16 << 20
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WALError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd); unlink(path) }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for i in 0..<(fileSize >> 20) {
            guard pwrite(fd, zeros, zeros.count, off_t(i << 20)) == zeros.count else {
                throw WALError.io(operation: "write", path: path, errno: errno)
            }
        }
        guard fsync(fd) == 0 else { throw WALError.io(operation: "fsync", path: path, errno: errno) }
        let block = [UInt8](repeating: 0xA5, count: 4096)
        var latencies: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        var offset = 0
        while clock.now < deadline {
            let t0 = clock.now
            guard pwrite(fd, block, block.count, off_t(offset)) == block.count else {
                throw WALError.io(operation: "write", path: path, errno: errno)
            }
            guard fdatasync(fd) == 0 else { throw WALError.io(operation: "fdatasync", path: path, errno: errno) }
            latencies.append(micros(clock.now - t0))
            offset = (offset + 4096) % fileSize
        }
        let elapsed = micros(clock.now - start) / 1_000_000
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return RawResult(syncsPerSecond: Double(latencies.count) / elapsed, p50Micros: pct(0.5), p99Micros: pct(0.99))
    }

    /// `writers` tasks, each appending one record and awaiting its durability, in a loop.
    func measureWAL(directory: String, writers: Int, raw: Double) async throws -> Point {
        let log = try WriteAheadLog(configuration: WALConfiguration(
            directory: directory, segmentSize: segmentSize, durability: .always))
        log.start()
        // Let the writer pre-write the segment first, as it does on an idle server.
        let target = UInt64(max(0, segmentSize - 4096))
        for _ in 0..<12_000 where log.statistics.preallocatedBytes < target {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let before = log.statistics
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let size = recordSize
        let total = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for w in 0..<writers {
                group.addTask {
                    var record = [UInt8](repeating: 0, count: size)
                    var count: UInt64 = 0
                    var x = UInt64(w + 1) &* 0x9E37_79B9_7F4A_7C15
                    while clock.now < deadline {
                        // Auth-like records: a mostly fixed layout with some random bytes.
                        for i in stride(from: 0, to: min(size, 32), by: 1) {
                            x ^= x << 13; x ^= x >> 7; x ^= x << 17
                            record[i] = UInt8(truncatingIfNeeded: x)
                        }
                        let lsn = log.append(record)
                        try await log.waitUntilDurable(lsn)
                        count += 1
                    }
                    return count
                }
            }
            var sum: UInt64 = 0
            for try await c in group { sum += c }
            return sum
        }
        let elapsed = micros(clock.now - start) / 1_000_000
        let after = log.statistics
        await log.close()
        try? FileManager.default.removeItem(atPath: directory)
        let fsyncs = after.fsyncs - before.fsyncs
        let rate = Double(total) / elapsed
        let fsyncMicros = fsyncs == 0 ? 0 : Double(after.totalFsyncMicros - before.totalFsyncMicros) / Double(fsyncs)
        let bytesIn = Double(after.bytesIn - before.bytesIn), bytesOut = Double(after.bytesOut - before.bytesOut)
        return Point(
            writers: writers, records: total, recordsPerSecond: rate, fsyncs: fsyncs,
            recordsPerFsync: fsyncs == 0 ? 0 : Double(total) / Double(fsyncs),
            averageFsyncMicros: fsyncMicros, ratioToRawFdatasync: raw > 0 ? rate / raw : 0,
            compressionRatio: bytesOut > 0 ? bytesIn / bytesOut : 1)
    }

    func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1_000_000 + Double(d.components.attoseconds) / 1_000_000_000_000
    }
}
