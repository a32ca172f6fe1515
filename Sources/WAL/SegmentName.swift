/// Segment file names: the first LSN as 20 zero-padded digits plus ".wal".
enum SegmentName {
    static let suffix = ".wal"

    static func make(_ firstLSN: UInt64) -> String { pad20(firstLSN) + suffix }

    /// The first LSN encoded in a segment file name, or nil for other files.
    static func parse(_ name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    static func pad20(_ value: UInt64) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, 20 - s.count)) + s
    }
}
