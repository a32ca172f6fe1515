import Foundation

/// Little-endian encoding of records and snapshots.
struct BinaryWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func write(_ v: UInt8) { bytes.append(v) }
    mutating func write(_ v: UInt16) { for s in stride(from: 0, to: 16, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt16(s))) } }
    mutating func write(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func write(_ v: UInt64) { for s in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    mutating func write(_ v: Int64) { write(UInt64(bitPattern: v)) }
    mutating func write(_ v: Timestamp) { write(v.milliseconds) }
    mutating func write(_ v: UUID) { withUnsafeBytes(of: v.uuid) { bytes.append(contentsOf: $0) } }
    mutating func write(_ v: TokenID) { write(v.high); write(v.low) }
    mutating func write(_ v: String) {
        let utf8 = v.utf8
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func write(_ v: String?) {
        if let v { write(UInt8(1)); write(v) } else { write(UInt8(0)) }
    }
    mutating func write(_ v: TokenID?) {
        if let v { write(UInt8(1)); write(v) } else { write(UInt8(0)) }
    }
    mutating func write(_ v: Timestamp?) {
        if let v { write(UInt8(1)); write(v) } else { write(UInt8(0)) }
    }
}
