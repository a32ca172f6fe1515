import Foundation
import WAL

/// A fresh directory under /tmp, removed by `remove()` (tests call it in `defer`).
struct TestDirectory {
    let path: String

    init() {
        var template = Array("/tmp/waltests-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    var walDirectory: String { path + "/wal" }

    /// Segment file paths sorted by name.
    func segments() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: walDirectory)) ?? []
        return names.filter { $0.hasSuffix(".wal") }.sorted().map { walDirectory + "/" + $0 }
    }

    /// All files in the wal directory (names).
    func walFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: walDirectory)) ?? []).sorted()
    }

    func configuration(
        segmentSize: Int = 1 << 20, durability: Durability = .always,
        fileSystem: WALFileSystem = .posix, preallocate: Bool = false
    ) -> WALConfiguration {
        WALConfiguration(
            directory: path, segmentSize: segmentSize, durability: durability,
            fileSystem: fileSystem, preallocate: preallocate)
    }
}

enum Files {
    static func read(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}

/// A deterministic, mildly compressible record.
func record(_ n: Int, size: Int = 40) -> [UInt8] {
    var bytes = Array("record-\(n)-".utf8)
    var x = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
    while bytes.count < size {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        bytes.append(UInt8(ascii: "a") + UInt8(x % 8))
    }
    return Array(bytes.prefix(size))
}

/// Random (incompressible) bytes.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var x = seed | 1
    return (0..<count).map { _ in
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        return UInt8(truncatingIfNeeded: x)
    }
}

/// Every record in the log, via a fresh open + replay + close.
func replayAll(_ configuration: WALConfiguration, after lsn: UInt64 = 0) async throws -> [WALRecord] {
    let log = try WriteAheadLog(configuration: configuration)
    var out: [WALRecord] = []
    try log.replay(after: lsn) { out.append($0) }
    await log.close()
    return out
}

/// Frames on disk (offset, first LSN, count) via the read-only reader.
func frames(_ dir: TestDirectory) throws -> [WALReader.FrameInfo] {
    var out: [WALReader.FrameInfo] = []
    try WALReader(directory: dir.path).forEachFrame(after: 0) { info, _ in out.append(info) }
    return out
}

/// Polls `condition` (bounded, no timing assertion): true once it holds.
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<2000 {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return condition()
}
