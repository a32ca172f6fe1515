import Engine
import FuzzSupport

/// The process's fixture (made on first use, thread-safe as every global).
let fixture = TokenFixture()

/// libFuzzer's set-up hook: writes the seed corpus when asked (see `SeedWriter`), else builds the fixture.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        let grant = fixture.grant
        let access = Array(grant.accessToken.utf8), refresh = Array(grant.refreshToken.utf8)
        return [
            ("access-me", 0, access), ("access-sessions", 1, access), ("access-as-refresh", 2, access),
            ("refresh-as-access", 0, refresh), ("refresh", 2, refresh + [0x41]),
            ("alg-none", 0, Array("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.".utf8)),
        ]
    }
    _ = fixture.grant
    return 0
}

/// One input: a selector byte (which verification) and the token text.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzToken`.
@_cdecl("FuzzToken_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzToken(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToken(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    fixture.check(input.selector, String(decoding: input.body, as: UTF8.self))
    return 0
}
