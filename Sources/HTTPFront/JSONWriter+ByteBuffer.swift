import Engine
import Foundation
import JSON
import NIOCore

/// The HTTP front's response writer: the shared `JSONWriter` over a `ByteBuffer`, with the
/// engine's ids and times written from the stack (no `String` per value).
extension JSONWriter where Sink == ByteBuffer {
    /// Starts writing into `buffer` (appending after its current contents).
    public init(buffer: ByteBuffer) {
        self.init(into: buffer)
    }

    /// The bytes written so far.
    public var buffer: ByteBuffer {
        get { sink }
        set { sink = newValue }
        _modify { yield &sink }
    }
}

// Constrained to the raw sink answers are written with: an unconstrained extension here would be
// generic code outside the JSON module's inlinable body, run unspecialized (a witness call per
// byte appended).
extension JSONWriter where Sink == RawBufferSink {
    /// A UUID as a lower-case string (the engine's formatter, no Foundation, no String).
    public mutating func uuid(_ value: UUID) {
        self.value { sink in
            sink.append(UInt8(ascii: "\""))
            value.withLowercased { sink.append(bytes: UnsafeRawBufferPointer($0)) }
            sink.append(UInt8(ascii: "\""))
        }
    }

    /// A timestamp as an ISO 8601 string (UTC, milliseconds), without an intermediate String.
    public mutating func timestamp(_ value: Timestamp) {
        self.value { sink in
            sink.append(UInt8(ascii: "\""))
            value.withISO8601 { sink.append(bytes: UnsafeRawBufferPointer($0)) }
            sink.append(UInt8(ascii: "\""))
        }
    }

    /// A timestamp, or `null`.
    public mutating func timestamp(orNull value: Timestamp?) {
        if let value { timestamp(value) } else { null() }
    }
}
