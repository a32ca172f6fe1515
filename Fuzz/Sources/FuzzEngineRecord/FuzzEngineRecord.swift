import Engine
import FuzzSupport

/// libFuzzer's set-up hook: writes the seed corpus (every record a real engine logged) when asked.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        let sample = SampleDataDirectory.make()
        defer { sample.remove() }
        return sample.records().enumerated().map { ("record-\($0.offset)", 0, $0.element) }
    }
    return 0
}

/// One input: an engine record's bytes (the selector byte is part of no record and ignored).
/// A record that decodes must survive a round trip through its encoding unchanged.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzEngineRecord`.
@_cdecl("FuzzEngineRecord_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzEngineRecord(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEngineRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let record = try? EngineRecord(decoding: input.body) else { return 0 }
    let again: EngineRecord
    do {
        again = try EngineRecord(decoding: record.encoded())
    } catch {
        fatalError("a decoded record's encoding does not decode: \(error)")
    }
    guard again == record else { fatalError("a record changed in a round trip: \(record) -> \(again)") }
    return 0
}
