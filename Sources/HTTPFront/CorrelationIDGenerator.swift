import JSON

/// Makes ids for requests that came without one: cheap and unique enough.
///
/// One generator lives per connection (no lock, no shared counter): a random
/// 64-bit prefix drawn when the connection opens, then a counter, e.g.
/// `9f86d081884c7d65-1`. Ids never repeat within a connection and collide
/// across connections with probability about 2^-64 per pair.
public struct CorrelationIDGenerator: Sendable {
    private let prefix: String
    private var counter: Int64 = 0

    /// A generator with a fresh random prefix.
    public init() {
        var generator = SystemRandomNumberGenerator()
        let bits = generator.next() as UInt64
        let hex = String(bits, radix: 16)
        self.prefix = String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The next id, written into its string in one allocation (no intermediate strings).
    public mutating func next() -> String {
        counter += 1
        let prefix = self.prefix
        let counter = self.counter
        // The prefix, a dash and at most 20 digits.
        return String(unsafeUninitializedCapacity: prefix.utf8.count + 21) { out in
            var sink = RawBufferSink(UnsafeMutableRawBufferPointer(out))
            sink.appendUnescaped(prefix)
            sink.append(UInt8(ascii: "-"))
            sink.appendJSONInteger(counter)
            return sink.count
        }
    }
}
