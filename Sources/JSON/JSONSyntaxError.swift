/// Why a text is not the JSON a `JSONReader` was asked to read, and where it stopped.
///
/// The reader's owners map it to their own refusals: the HTTP front to its error envelope,
/// the token reader to "malformed". `offset` is the byte where reading stopped; no content
/// of the text is kept, so the error can be shown to the client that sent it.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    /// The byte offset in the text where reading stopped.
    public var offset: Int
    /// What was wrong there.
    public var reason: Reason

    /// Creates an error at `offset`.
    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// The grammar rule a text broke (RFC 8259 with strict UTF-8, RFC 3629), or the depth limit.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        case expectedValue
        case unexpectedCharacter
        case expectedKey
        case expectedColon
        case expectedCommaOrBrace
        case expectedCommaOrBracket
        case unterminatedObject
        case unterminatedArray
        case invalidLiteral
        case invalidNumber
        case leadingZero
        case missingFractionDigits
        case missingExponentDigits
        case unterminatedString
        case controlCharacter
        case unterminatedEscape
        case invalidEscape
        case shortUnicodeEscape
        case invalidHexDigit
        case unpairedSurrogate
        case invalidUTF8
        case trailingData
        /// Arrays and objects nest deeper than the reader's `maximumDepth`.
        case tooDeep

        /// A short English explanation, stable (the HTTP front sends it in its error details).
        public var description: String {
            switch self {
            case .expectedValue: "expected a value"
            case .unexpectedCharacter: "unexpected character"
            case .expectedKey: "expected a string key"
            case .expectedColon: "expected ':' after an object key"
            case .expectedCommaOrBrace: "expected ',' or '}' in an object"
            case .expectedCommaOrBracket: "expected ',' or ']' in an array"
            case .unterminatedObject: "unterminated object"
            case .unterminatedArray: "unterminated array"
            case .invalidLiteral: "invalid literal"
            case .invalidNumber: "invalid number"
            case .leadingZero: "leading zero in a number"
            case .missingFractionDigits: "expected digits after '.'"
            case .missingExponentDigits: "expected digits in an exponent"
            case .unterminatedString: "unterminated string"
            case .controlCharacter: "control character in a string"
            case .unterminatedEscape: "unterminated escape"
            case .invalidEscape: "invalid escape"
            case .shortUnicodeEscape: "short \\u escape"
            case .invalidHexDigit: "invalid hex digit in \\u escape"
            case .unpairedSurrogate: "unpaired surrogate in \\u escape"
            case .invalidUTF8: "invalid UTF-8"
            case .trailingData: "unexpected data after the JSON value"
            case .tooDeep: "nesting too deep"
            }
        }
    }
}
