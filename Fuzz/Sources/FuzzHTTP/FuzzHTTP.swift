import FuzzSupport

/// The process's fixture (made on first use).
let fixture = HTTPFixture()

/// libFuzzer's set-up hook: writes the seed corpus (`HTTPSeeds`) when asked, else builds the fixture.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked { HTTPSeeds.all }
    _ = fixture.processor
    return 0
}

/// One input: the bytes a client sends on one connection, cut into 1 to 4 reads (selector % 4 + 1)
/// of equal size, each answered before the next is sent.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzHTTP`.
@_cdecl("FuzzHTTP_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzHTTP(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let reads = Int(input.selector % 4) + 1
    let step = max(1, (input.body.count + reads - 1) / reads)
    let pieces = stride(from: 0, to: input.body.count, by: step).map { Array(input.body[$0..<min(input.body.count, $0 + step)]) }
    fixture.exchange(pieces)
    return 0
}
