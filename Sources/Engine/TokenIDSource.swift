import COpenSSL

/// Fresh refresh-chain ids for one shard, drawn from OpenSSL's DRBG 256 at a time.
///
/// Every `RAND_bytes` call costs the DRBG's locking and its fork check (a `getpid` system
/// call: two per call on this OpenSSL, one refresh each before this). Drawing 4 KiB at once
/// and handing it out 16 bytes at a time keeps the ids exactly as unpredictable — the same
/// generator, each byte used once and zeroed when taken — at one call per 256 ids. authd never
/// forks, so no child could reuse bytes drawn before it.
///
/// A value type owned by its shard actor: no lock.
struct TokenIDSource {
    private static let idsPerDraw = 256
    private var words = [UInt64](repeating: 0, count: 2 * idsPerDraw)
    private var position = 2 * idsPerDraw
    /// `RAND_bytes` calls made so far (tests).
    private(set) var draws = 0

    /// A fresh id, never handed out before.
    mutating func next() -> TokenID {
        if position == words.count { refill() }
        let id = TokenID(high: words[position], low: words[position + 1])
        words[position] = 0
        words[position + 1] = 0
        position += 2
        return id
    }

    private mutating func refill() {
        words.withUnsafeMutableBytes { buffer in
            precondition(RAND_bytes(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1,
                         "RAND_bytes failed")
        }
        position = 0
        draws += 1
    }
}
