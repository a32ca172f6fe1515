import Foundation
import FuzzSupport

/// libFuzzer's set-up hook: writes the seed corpus (every command the admin socket knows) when asked.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        ["snapshot\n", "ping\n", "keys rotate\n", "keys list\n", "promote\n", "  ping  \r\n", "ping", String(repeating: "x", count: 5000)]
            .enumerated().map { ("command-\($0.offset)", 0, Array($0.element.utf8)) }
    }
    return 0
}

/// One input: what an operator client sends before hanging up. It goes through a socket pair
/// into `AdminSocket.readLine` (the server's reader, compiled from Sources/authd), whose answer
/// must be what the protocol says: the trimmed text before the first newline, `tooLong` past
/// 4096 bytes without one, `closed` when the peer hangs up first.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzAdmin`.
@_cdecl("FuzzAdmin_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzAdmin(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdmin(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let sent = Array(input.body.prefix(64 << 10))
    var ends: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { fatalError("socketpair: \(errno)") }
    defer { close(ends[0]) }
    var buffer = Int32(256 << 10)
    setsockopt(ends[1], SOL_SOCKET, SO_SNDBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(ends[0], SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
    let written = sent.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
    guard written == sent.count else { fatalError("socket pair took \(written) of \(sent.count) bytes") }
    close(ends[1])
    let answer = AdminSocket.readLine(ends[0], timeout: .seconds(5))
    let expected: AdminSocket.LineRead
    if let newline = sent.firstIndex(of: UInt8(ascii: "\n")), newline <= AdminSocket.maximumLineBytes {
        expected = .line(String(decoding: sent[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespaces))
    } else if sent.count > AdminSocket.maximumLineBytes {
        expected = .tooLong
    } else {
        expected = .closed
    }
    guard answer == expected else { fatalError("admin line read \(answer), expected \(expected)") }
    return 0
}
