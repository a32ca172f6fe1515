/// Makes ids for requests that came without one: cheap and unique enough.
///
/// One generator lives per connection (no lock, no shared counter): a random
/// 64-bit prefix drawn when the connection opens, then a counter, e.g.
/// `9f86d081884c7d65-1`. Ids never repeat within a connection and collide
/// across connections with probability about 2^-64 per pair.
public struct CorrelationIDGenerator: Sendable {
    private let prefix: String
    private var counter: UInt64 = 0

    /// A generator with a fresh random prefix.
    public init() {
        var generator = SystemRandomNumberGenerator()
        let bits = generator.next() as UInt64
        let hex = String(bits, radix: 16)
        self.prefix = String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The next id, written into its string in one allocation (no intermediate strings).
    public mutating func next() -> String {
        counter &+= 1
        let prefix = self.prefix
        let counter = self.counter
        return String(unsafeUninitializedCapacity: prefix.utf8.count + 21) { out in
            var written = 0
            for byte in prefix.utf8 {
                out[written] = byte
                written += 1
            }
            out[written] = UInt8(ascii: "-")
            written += 1
            var digits = 1
            var rest = counter / 10
            while rest > 0 { digits += 1; rest /= 10 }
            rest = counter
            for index in stride(from: written + digits - 1, through: written, by: -1) {
                out[index] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
            }
            return written + digits
        }
    }
}
