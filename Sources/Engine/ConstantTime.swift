/// Comparisons that take the same time wherever their inputs differ.
public enum ConstantTime {
    /// Byte equality of two strings without an early exit, not even on a length difference: a
    /// caller probing with guesses (a forged token signature, a metrics bearer token) learns
    /// nothing from the timing. No allocation.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                var difference = UInt8(left.count == right.count ? 0 : 1)
                for index in 0..<max(left.count, right.count) {
                    let a = index < left.count ? left[index] : 0
                    let b = index < right.count ? right[index] : 0
                    difference |= a ^ b
                }
                return difference == 0
            }
        }
    }
}
