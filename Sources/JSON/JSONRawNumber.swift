/// A JSON number as it stands in the text, validated by the `JSONReader` that read it.
///
/// Kept as digits so that each caller converts it the way its rules say (token times are
/// exact integers; a fraction or exponent is not one, whatever its value).
public struct JSONRawNumber {
    /// The number's bytes, sign, fraction and exponent as written.
    public let bytes: UnsafeRawBufferPointer
    /// Whether it is written without a fraction or an exponent.
    public let isInteger: Bool

    @inlinable
    init(bytes: UnsafeRawBufferPointer, isInteger: Bool) {
        self.bytes = bytes
        self.isInteger = isInteger
    }

    /// The value if the number is written as an integer (no fraction, no exponent) that fits
    /// in an `Int64`'s positive range or its negation; nil otherwise.
    @inlinable
    public var int64Value: Int64? {
        guard isInteger else { return nil }
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var value: Int64 = 0
        while index < bytes.count {
            let (product, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = product.addingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
