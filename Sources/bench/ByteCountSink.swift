import JSON

/// A `JSONSink` that keeps only the count of the bytes written to it: a request body is
/// written once into one of these for its `Content-Length`, then once into the request.
struct ByteCountSink: JSONSink {
    /// Bytes written so far.
    var count = 0

    mutating func append(_ byte: UInt8) {
        count += 1
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        count += bytes.count
    }
}
