import FuzzSupport
import Replication
import WAL

/// libFuzzer's set-up hook: writes the seed corpus (both sides' handshakes with valid proofs,
/// real WAL frames as a `frames` message) when asked.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        let sample = SampleDataDirectory.make()
        defer { sample.remove() }
        var frames: [UInt8] = []
        if let segment = sample.segments().first {
            // The frames after the 32-byte segment header, up to the zeros of preallocation.
            let bytes = segment.bytes
            var end = bytes.count
            while end > 32, bytes[end - 1] == 0 { end -= 1 }
            frames = Array(bytes[32..<((end + 7) & ~7)])
        }
        let toLeader = HandshakeFixture.followerSide().flatMap { try! $0.encoded() }
        let toFollower = HandshakeFixture.leaderSide(frames: frames).compactMap { try? $0.encoded() }.flatMap { $0 }
        return [
            ("stream-to-leader", 0, toLeader), ("stream-to-follower", 0, toFollower),
            ("leader-handshake", 1, toLeader), ("follower-handshake", 2, toFollower),
            ("frames", 3, frames),
        ]
    }
    return 0
}

/// One input. Selector % 4 — 0: the bytes through the message decoder in pieces (sizes from the
/// selector), every message re-encoded and decoded again; 1: the messages played to a leader
/// session; 2: to a follower session; 3: the bytes as a `frames` body (frame header reader).
/// A session that authenticates its peer without a valid proof traps.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzReplication`.
@_cdecl("FuzzReplication_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzReplication(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReplication(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    switch input.selector % 4 {
    case 0: ReplicationPlay.roundTrip(input.body, piece: Int(input.selector / 4) + 1)
    case 1: ReplicationPlay.leader(input.body)
    case 2: ReplicationPlay.follower(input.body)
    default: _ = try? FrameHeaderView.frames(in: input.body)
    }
    return 0
}
