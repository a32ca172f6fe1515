/// A `JSONSink` over memory the caller lends for the duration of one write: no capacity
/// check beyond one comparison, no reference counting, no copy-on-write check per append.
///
/// It never writes past its memory: what does not fit is dropped and `overflowed` is set, so
/// the caller can start again with more room (answers are sized from their strings, so that
/// happens only for strings full of characters that need escaping).
public struct RawBufferSink: JSONSink {
    @usableFromInline let base: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    public var count = 0
    /// Whether something did not fit.
    public var overflowed = false

    /// A sink writing from the start of `memory`.
    @inlinable
    public init(_ memory: UnsafeMutableRawBufferPointer) {
        self.base = memory
    }

    /// Appends one byte.
    @inlinable
    public mutating func append(_ byte: UInt8) {
        guard count < base.count else {
            overflowed = true
            return
        }
        base[count] = byte
        count &+= 1
    }

    /// Appends `bytes` as they are.
    @inlinable
    public mutating func append(bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= base.count &- count else {
            overflowed = true
            return
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
            count &+= bytes.count
        }
    }
}
