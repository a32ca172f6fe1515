/// A byte array is a `JSONSink`: the engine writes tokens and key sets into one.
extension Array: JSONSink where Element == UInt8 {
    /// Appends `bytes` as they are.
    @inlinable
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }
}
