/// What a limiter table files an entry under: a fixed-size (128-bit) keyed digest of the
/// key's text (an IP, a normalised email), never the text itself.
///
/// Why: the text comes from the client. Stored raw, a 1 MB "email" or `X-Forwarded-For`
/// value would cost 1 MB per entry for as long as the entry lives; digested, every entry
/// costs the same 16 bytes whatever the input. The digest is two runs of the standard
/// library's SipHash seeded per process (so an attacker cannot aim collisions at a
/// victim's key without the seed) over a domain byte and the UTF-8 bytes. It is not stable
/// across restarts, which is fine: limiter state is not persisted.
struct LimiterKey: Hashable, Sendable {
    /// Separates the key spaces of the limiters, so an IP and an email never share an entry.
    enum Domain: UInt8, Sendable {
        case ip = 1
        case account = 2
        case loginLockout = 3
    }

    let high: UInt64
    let low: UInt64

    init(_ text: String, domain: Domain) {
        if let key = text.utf8.withContiguousStorageIfAvailable({ LimiterKey(bytes: UnsafeRawBufferPointer($0), domain: domain) }) {
            self = key
        } else {
            self = Array(text.utf8).withUnsafeBytes { LimiterKey(bytes: $0, domain: domain) }
        }
    }

    private init(bytes: UnsafeRawBufferPointer, domain: Domain) {
        var first = Hasher()
        first.combine(domain.rawValue)
        first.combine(UInt8(0))
        first.combine(bytes: bytes)
        var second = Hasher()
        second.combine(domain.rawValue)
        second.combine(UInt8(1))
        second.combine(bytes: bytes)
        high = UInt64(UInt(bitPattern: first.finalize()))
        low = UInt64(UInt(bitPattern: second.finalize()))
    }

    /// The digest is already uniformly spread: one word is enough for the table's hash.
    func hash(into hasher: inout Hasher) {
        hasher.combine(low)
    }
}
