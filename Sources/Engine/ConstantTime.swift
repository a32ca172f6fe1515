/// Comparisons that take the same time wherever their inputs differ.
public enum ConstantTime {
    /// Byte equality of two strings without an early exit, not even on a length difference: a
    /// caller probing with guesses (a forged token signature, a metrics bearer token) learns
    /// nothing from the timing. No allocation. Eight bytes at a time over the common length,
    /// then every remaining byte of the longer one, so the work depends on the longer length only.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                var difference: UInt64 = left.count == right.count ? 0 : 1
                let common = min(left.count, right.count)
                let l = UnsafeRawBufferPointer(left)
                let r = UnsafeRawBufferPointer(right)
                var index = 0
                while index + 8 <= common {
                    difference |= l.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        ^ r.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    index += 8
                }
                while index < common {
                    difference |= UInt64(left[index] ^ right[index])
                    index += 1
                }
                let longer = left.count > right.count ? left : right
                while index < longer.count {
                    difference |= UInt64(longer[index]) | 1
                    index += 1
                }
                return difference == 0
            }
        }
    }
}
