/// A strict RFC 8259 reader: a cursor over UTF-8 bytes that allocates nothing.
///
/// The caller walks the text: `enterObject()` then `nextMemberKey()` until nil, reading or
/// skipping each value; `enterArray()` then `nextElement()` likewise. Members the caller
/// does not want are skipped with `skipValue()`, which still validates them completely, so
/// malformed input is refused however deep it hides. Strings come back as `JSONRawString`
/// views of the text (validated, escapes not yet decoded) that compare and decode in place:
/// reading a member costs no `String` and no copy. Every byte is checked: the grammar, UTF-8
/// (no overlongs, no encoded surrogates, nothing above U+10FFFF), escapes including
/// surrogate pairs (a lone surrogate is refused), control characters in strings, and the
/// nesting depth. `expectEnd()` refuses anything but whitespace after the value.
///
/// The reader borrows `bytes`: use it only while the buffer it was made from is alive
/// (inside its `withUnsafeBytes`). What a text means (which members count, what to do with
/// repeated keys) stays with the caller.
public struct JSONReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// The deepest nesting of arrays and objects accepted; a top-level container is depth 1.
    public let maximumDepth: Int
    @usableFromInline var index = 0
    @usableFromInline var depth = 0
    /// Set by `enterObject`/`enterArray`: the next member or element is the first one.
    @usableFromInline var atContainerStart = false

    /// A reader at the start of `bytes`, refusing containers nested deeper than `maximumDepth`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 32) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// The byte offset of the reader in the text.
    @inlinable public var offset: Int { index }

    @inlinable
    func failure(_ reason: JSONSyntaxError.Reason) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, reason: reason)
    }

    @inlinable
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    // MARK: Where the reader is

    /// Skips whitespace and tells what starts next: nil at the end of the text or before a byte
    /// no JSON value starts with.
    @inlinable
    public mutating func nextValueKind() -> JSONValueKind? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        default: return nil
        }
    }

    /// Skips whitespace; whether the text ends there.
    @inlinable
    public mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return index >= bytes.count
    }

    /// Refuses anything but whitespace from here to the end (what follows the top-level value).
    @inlinable
    public mutating func expectEnd() throws(JSONSyntaxError) {
        if !isAtEnd() { throw failure(.trailingData) }
    }

    /// The error for a value expected here that is not of the kind asked for.
    @inlinable
    mutating func mismatch() -> JSONSyntaxError {
        skipWhitespace()
        return failure(index < bytes.count ? .unexpectedCharacter : .expectedValue)
    }

    // MARK: Objects

    /// Enters the object starting here (after whitespace), counting it against the depth limit.
    @inlinable
    public mutating func enterObject() throws(JSONSyntaxError) {
        guard nextValueKind() == .object else { throw mismatch() }
        guard depth < maximumDepth else { throw failure(.tooDeep) }
        depth += 1
        index += 1
        atContainerStart = true
    }

    /// The key of the object's next member, the reader then at its value (which the caller must
    /// read or skip before asking again); nil once the object's `}` is consumed.
    @inlinable
    public mutating func nextMemberKey() throws(JSONSyntaxError) -> JSONRawString? {
        skipWhitespace()
        if atContainerStart {
            atContainerStart = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return nil
            }
        } else {
            guard index < bytes.count else { throw failure(.unterminatedObject) }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return nil
            default:
                throw failure(.expectedCommaOrBrace)
            }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
        let key = try scanString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure(.expectedColon) }
        index += 1
        skipWhitespace()
        return key
    }

    // MARK: Arrays

    /// Enters the array starting here (after whitespace), counting it against the depth limit.
    @inlinable
    public mutating func enterArray() throws(JSONSyntaxError) {
        guard nextValueKind() == .array else { throw mismatch() }
        guard depth < maximumDepth else { throw failure(.tooDeep) }
        depth += 1
        index += 1
        atContainerStart = true
    }

    /// Whether the array has another element, the reader then at it (which the caller must read
    /// or skip before asking again); false once the array's `]` is consumed.
    @inlinable
    public mutating func nextElement() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if atContainerStart {
            atContainerStart = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return false
            }
            return true
        }
        guard index < bytes.count else { throw failure(.unterminatedArray) }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case UInt8(ascii: "]"):
            index += 1
            depth -= 1
            return false
        default:
            throw failure(.expectedCommaOrBracket)
        }
    }

    // MARK: Any value

    /// Validates the value starting here and steps over it, materialising nothing.
    @inlinable
    public mutating func skipValue() throws(JSONSyntaxError) {
        switch nextValueKind() {
        case .object?:
            try enterObject()
            while try nextMemberKey() != nil { try skipValue() }
        case .array?:
            try enterArray()
            while try nextElement() { try skipValue() }
        case .string?:
            _ = try scanString()
        case .number?:
            _ = try scanNumber()
        case .boolean?, .null?:
            _ = try readLiteral()
        case nil:
            throw mismatch()
        }
    }

    // MARK: Scalars

    /// Reads the string starting here: validated, its escapes left for the caller to decode.
    @inlinable
    public mutating func readString() throws(JSONSyntaxError) -> JSONRawString {
        guard nextValueKind() == .string else { throw mismatch() }
        return try scanString()
    }

    /// Reads the number starting here, validated (its digits kept for the caller to convert).
    @inlinable
    public mutating func readNumber() throws(JSONSyntaxError) -> JSONRawNumber {
        guard nextValueKind() == .number else { throw mismatch() }
        return try scanNumber()
    }

    /// Reads `true` or `false` starting here.
    @inlinable
    public mutating func readBoolean() throws(JSONSyntaxError) -> Bool {
        guard nextValueKind() == .boolean else { throw mismatch() }
        return try readLiteral() == .true
    }

    /// Reads `null` starting here.
    @inlinable
    public mutating func readNull() throws(JSONSyntaxError) {
        guard nextValueKind() == .null else { throw mismatch() }
        _ = try readLiteral()
    }

    @usableFromInline
    enum Literal { case `true`, `false`, null }

    /// Reads `true`, `false` or `null` (the reader at its first byte).
    @inlinable
    mutating func readLiteral() throws(JSONSyntaxError) -> Literal {
        let literal: Literal, word: StaticString
        switch bytes[index] {
        case UInt8(ascii: "t"): (literal, word) = (.true, "true")
        case UInt8(ascii: "f"): (literal, word) = (.false, "false")
        default: (literal, word) = (.null, "null")
        }
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure(.invalidLiteral) }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw failure(.invalidLiteral)
        }
        index += count
        return literal
    }

    @inlinable
    mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index - start
    }

    /// Scans a number (the reader at its first byte).
    @inlinable
    mutating func scanNumber() throws(JSONSyntaxError) -> JSONRawNumber {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 else { throw failure(.invalidNumber) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { throw failure(.leadingZero) }
        } else {
            _ = skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard skipDigits() > 0 else { throw failure(.missingFractionDigits) }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw failure(.missingExponentDigits) }
        }
        return JSONRawNumber(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), isInteger: isInteger)
    }

    // MARK: Strings

    /// Scans and validates a string (the reader at its opening quote).
    @inlinable
    mutating func scanString() throws(JSONSyntaxError) -> JSONRawString {
        index += 1
        let start = index
        var hasEscapes = false
        while index < bytes.count {
            // Eight plain ASCII bytes at a time (no quote, backslash, control or non-ASCII byte among them).
            if bytes.count - index >= 8,
               PlainASCIIWord.isPlain(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = JSONRawString(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), hasEscapes: hasEscapes)
                index += 1
                return raw
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try skipEscape()
            } else if byte < 0x20 {
                throw failure(.controlCharacter)
            } else if byte >= 0x80 {
                try skipUTF8Scalar()
            } else {
                index += 1
            }
        }
        throw failure(.unterminatedString)
    }

    /// Validates one escape sequence (the reader at its backslash) and steps over it.
    @usableFromInline
    mutating func skipEscape() throws(JSONSyntaxError) {
        index += 1
        guard index < bytes.count else { throw failure(.unterminatedEscape) }
        let kind = bytes[index]
        index += 1
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            let unit = try hex4()
            switch unit {
            case 0xD800...0xDBFF:
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure(.unpairedSurrogate)
                }
                index += 2
                guard (0xDC00...0xDFFF).contains(try hex4()) else { throw failure(.unpairedSurrogate) }
            case 0xDC00...0xDFFF:
                throw failure(.unpairedSurrogate)
            default:
                return
            }
        default:
            index -= 1
            throw failure(.invalidEscape)
        }
    }

    @usableFromInline
    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure(.shortUnicodeEscape) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONRawString.hexValue(bytes[index]) else { throw failure(.invalidHexDigit) }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Steps over one well-formed multi-byte UTF-8 scalar (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF).
    @usableFromInline
    mutating func skipUTF8Scalar() throws(JSONSyntaxError) {
        let lead = bytes[index]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: throw failure(.invalidUTF8)
        }
        guard bytes.count - index >= length else { throw failure(.invalidUTF8) }
        let second = bytes[index + 1]
        guard second >= lowerBound, second <= upperBound else { throw failure(.invalidUTF8) }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
            throw failure(.invalidUTF8)
        }
        index += length
    }
}
