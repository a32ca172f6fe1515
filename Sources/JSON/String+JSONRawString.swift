extension String {
    /// The value of a JSON string read by a `JSONReader`, escapes decoded.
    ///
    /// The one allocation a caller pays when it wants to keep a value; comparing one needs
    /// no `String` (see `JSONRawString.equals`).
    @inlinable
    public init(_ value: JSONRawString) {
        if !value.hasEscapes {
            self = String(decoding: value.bytes, as: UTF8.self)
        } else {
            var decoded: [UInt8] = []
            decoded.reserveCapacity(value.bytes.count)
            decoded.append(contentsOf: value.decodedBytes)
            self = String(decoding: decoded, as: UTF8.self)
        }
    }
}
