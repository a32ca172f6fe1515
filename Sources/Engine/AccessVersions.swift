import Foundation
import Synchronization

/// Version counters that tell an event loop's `AccessCache` whether what it copied from a shard
/// is still what the shard holds, without asking the shard.
///
/// A shard bumps the stripe of a user (a hash of the user id picks one of `stripeCount`
/// counters) in the same turn that changes anything of that user or their sessions, before the
/// change's records are appended, so before any answer about the change can leave; it bumps the
/// global counter when a whole state or key ring is replaced. A cache entry remembers both
/// values as they were when the shard computed it and is used only while both are unchanged.
/// Counters only grow; several users share a stripe, which costs a miss, never a wrong answer.
///
/// Atomics, not a lock: readers never wait for a shard, and a shard never waits for a reader.
final class AccessVersions: Sendable {
    static let stripeCount = 1024

    private let stripes: InlineArray<1024, Atomic<UInt64>>
    private let global = Atomic<UInt64>(0)

    init() {
        stripes = InlineArray { _ in Atomic<UInt64>(0) }
    }

    /// The stripe of `userID` (0 ..< `stripeCount`).
    static func stripe(of userID: UUID) -> Int {
        let u = userID.uuid
        let low = UInt64(u.8) | UInt64(u.9) << 8 | UInt64(u.10) << 16 | UInt64(u.11) << 24
            | UInt64(u.12) << 32 | UInt64(u.13) << 40 | UInt64(u.14) << 48 | UInt64(u.15) << 56
        return Int(truncatingIfNeeded: (low &* 0x9E37_79B9_7F4A_7C15) >> 54)
    }

    /// The versions an answer computed now about `userID` depends on.
    func current(_ userID: UUID) -> Stamp {
        Stamp(stripe: stripes[Self.stripe(of: userID)].load(ordering: .acquiring), global: global.load(ordering: .acquiring))
    }

    /// Marks everything cached about `userID` as stale.
    func bump(_ userID: UUID) {
        stripes[Self.stripe(of: userID)].wrappingAdd(1, ordering: .releasing)
    }

    /// Marks everything cached as stale (a replaced state or key ring).
    func bumpAll() {
        global.wrappingAdd(1, ordering: .releasing)
    }

    /// Whether nothing that `stamp` was taken for has changed since.
    func isCurrent(_ stamp: Stamp, for userID: UUID) -> Bool {
        current(userID) == stamp
    }

    /// The two counters as one answer saw them.
    struct Stamp: Equatable, Sendable {
        let stripe: UInt64
        let global: UInt64
    }
}
