import Foundation

/// Little-endian encoding of records and snapshots.
struct BinaryWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    @inline(__always)
    private mutating func appendRaw<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ v: UInt8) { bytes.append(v) }
    mutating func write(_ v: UInt16) { appendRaw(v) }
    mutating func write(_ v: UInt32) { appendRaw(v) }
    mutating func write(_ v: UInt64) { appendRaw(v) }
    mutating func write(_ v: Int64) { appendRaw(v) }
    mutating func write(_ v: Timestamp) { appendRaw(v.milliseconds) }
    mutating func write(_ v: UUID) { withUnsafeBytes(of: v.uuid) { bytes.append(contentsOf: $0) } }
    mutating func write(_ v: TokenID) { appendRaw(v.high); appendRaw(v.low) }
    mutating func write(_ v: String) {
        var s = v
        s.withUTF8 { utf8 in
            appendRaw(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
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

extension BinaryWriter {
    /// A signing key: kid, algorithm, both halves (length-prefixed), created, activates.
    mutating func write(_ key: SigningKey) {
        write(key.kid); write(key.algorithm.rawValue)
        write(UInt16(key.privateKey.count)); bytes.append(contentsOf: key.privateKey)
        write(UInt16(key.publicKey.count)); bytes.append(contentsOf: key.publicKey)
        write(key.createdAt); write(key.activatesAt)
    }
}
