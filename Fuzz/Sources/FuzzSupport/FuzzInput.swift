/// The bytes of one fuzz input, with the first byte split off as a mode selector.
public struct FuzzInput: Sendable {
    /// The first byte (0 when the input is empty): which variant of the target runs.
    public let selector: UInt8
    /// The bytes after the selector.
    public let body: [UInt8]

    /// Copies `size` bytes from libFuzzer's buffer.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let all = UnsafeBufferPointer(start: data, count: size)
        selector = all.first ?? 0
        body = size > 1 ? Array(all[1...]) : []
    }
}
