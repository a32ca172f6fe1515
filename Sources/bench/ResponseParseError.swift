/// Why bytes from the server could not be read as an HTTP/1.1 response.
enum ResponseParseError: Error, Equatable {
    /// The status line is not `HTTP/1.x NNN ...`.
    case badStatusLine
    /// A header line has no colon or a length value is not a number.
    case badHeader
    /// A chunk size line is not hexadecimal or a chunk is not followed by CRLF.
    case badChunk
    /// The header block exceeds the parser's limit (a server gone wrong).
    case headerTooLarge
}
