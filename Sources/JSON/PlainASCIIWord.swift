/// Eight bytes at a time: whether none of them is special inside a JSON string.
///
/// Strings are scanned (reading) and escaped (writing) a word at a time while every byte is
/// plain ASCII: not a quote, backslash or control character, and below 0x80. A word that has
/// any other byte is handled byte by byte as before. (The classic exact "has a zero byte" /
/// "has a byte below n" bit tricks, valid for n <= 128.)
@usableFromInline
enum PlainASCIIWord {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether every byte of `word` is printable ASCII other than `"` and `\`.
    @inlinable
    static func isPlain(_ word: UInt64) -> Bool {
        if word & highs != 0 { return false }
        let belowSpace = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        return belowSpace | hasQuote | hasBackslash == 0
    }
}
