import CCRC32C

/// CRC32C (Castagnoli), hardware-accelerated with SSE4.2 when available. Used for frames, segment
/// headers and snapshot chunks.
public enum CRC32C {
    /// Extends `crc` over `bytes` (start from 0): `extend(extend(0, a), b) == checksum(a + b)`.
    public static func extend(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { ccrc32c_extend(crc, $0.baseAddress, $0.count) }
    }

    /// Extends `crc` over a slice.
    public static func extend(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { ccrc32c_extend(crc, $0.baseAddress, $0.count) }
    }

    /// The CRC32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { extend(0, bytes) }

    /// The CRC32C of a slice.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 { extend(0, bytes) }

    /// The portable (table) implementation, for tests that compare both paths.
    public static func softwareChecksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { ccrc32c_extend_software(0, $0.baseAddress, $0.count) }
    }

    /// True when the SSE4.2 instruction is in use.
    public static var isHardwareAccelerated: Bool { ccrc32c_is_hardware() != 0 }
}
