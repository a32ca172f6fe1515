@testable import Engine
import Foundation
import FuzzSupport
@testable import WAL

/// Where each input is written for the store to load (tmpfs when there is one).
let scratchPath: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return base + "/authd-fuzz-snapshot-\(getpid())"
}()

/// libFuzzer's set-up hook: writes the seed corpus (a real engine's snapshot file, as a file
/// and with its checksums to be recomputed, and its payload) when asked.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        let sample = SampleDataDirectory.make()
        defer { sample.remove() }
        let file = [UInt8](FileManager.default.contents(atPath: sample.snapshotPath)!)
        let payload = try! SnapshotStore(directory: sample.path).load(path: sample.snapshotPath).payload
        return [("file", 0, file), ("file-fixed-up", 1, file), ("payload", 2, payload)]
    }
    return 0
}

/// One input. Selector 0: the bytes as a snapshot file, loaded by `SnapshotStore`; 1: the same
/// with its checksums recomputed first; 2: the bytes as an engine snapshot payload. Whatever the
/// store loads is then decoded as the engine's snapshot.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzSnapshot`.
@_cdecl("FuzzSnapshot_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzSnapshot(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let payload: [UInt8]
    switch input.selector % 3 {
    case 0, 1:
        let bytes = input.selector % 3 == 1 ? SnapshotFixUp.apply(input.body) : input.body
        guard FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes)) else { fatalError("cannot write \(scratchPath)") }
        defer { unlink(scratchPath) }
        guard let loaded = try? SnapshotStore(directory: "/nonexistent").load(path: scratchPath) else { return 0 }
        payload = loaded.payload
    default:
        payload = input.body
    }
    _ = try? EngineSnapshot(decoding: payload)
    return 0
}
