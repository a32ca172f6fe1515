/// The uncompressed payload of a frame: records back to back, each a 4-byte little-endian length
/// followed by its bytes.
enum BatchPayload {
    static func encode(_ records: [[UInt8]]) -> [UInt8] {
        var total = 0
        for r in records { total += 4 + r.count }
        var w = ByteWriter(capacity: total)
        for r in records {
            w.u32(UInt32(r.count))
            w.append(r)
        }
        return w.bytes
    }

    /// Splits a payload into exactly `count` records; nil if it does not parse exactly.
    static func decode(_ raw: [UInt8], count: Int) -> [[UInt8]]? {
        // Every record takes at least its 4-byte length: a count the payload cannot hold is
        // refused before anything is reserved for it (a header's count is 32 bits, up to 4 Gi).
        guard count >= 0, count <= raw.count / 4 else { return nil }
        var records: [[UInt8]] = []
        records.reserveCapacity(count)
        let r = ByteReader(bytes: raw)
        var pos = 0
        while pos < raw.count {
            guard raw.count - pos >= 4 else { return nil }
            let length = Int(r.u32(pos))
            pos += 4
            guard raw.count - pos >= length else { return nil }
            records.append(Array(raw[pos..<(pos + length)]))
            pos += length
        }
        return records.count == count ? records : nil
    }
}
