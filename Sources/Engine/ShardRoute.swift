import Foundation

/// Stable routing of users to shards.
///
/// A user's shard is chosen by a 16-bit route derived from the normalised email (FNV-1a),
/// and the same 16 bits are the first two bytes of the user's id. So registration and
/// login (which know the email) and every token-bearing request (which knows `sub`) find
/// the same shard without a global index, and any shard count re-partitions at load.
public enum ShardRoute {
    /// The route of a normalised email.
    public static func route(email: String) -> UInt16 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in email.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return UInt16(truncatingIfNeeded: hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48))
    }

    /// The route carried in a user id.
    public static func route(userID: UUID) -> UInt16 {
        UInt16(userID.uuid.0) << 8 | UInt16(userID.uuid.1)
    }

    /// A new random user id (UUID version 8) that carries `route`; ids are never reused.
    static func newUserID(route: UInt16) -> UUID {
        var bytes = UUID().bytes
        bytes[0] = UInt8(route >> 8)
        bytes[1] = UInt8(route & 0xFF)
        bytes[6] = (bytes[6] & 0x0F) | 0x80   // version 8: custom layout
        bytes[8] = (bytes[8] & 0x3F) | 0x80   // RFC 9562 variant
        return UUID(bytes: bytes)
    }

    /// The shard index for `route` among `count` shards.
    public static func shard(route: UInt16, count: Int) -> Int { Int(route) % count }
}
