import JSON

/// Why a request body is not an acceptable JSON object.
///
/// Every case is a client mistake and maps to 400 INVALID_PAYLOAD; `offset`
/// is the byte where parsing stopped, for the `details` message.
public enum JSONParseError: Error, Sendable, Equatable {
    /// The bytes are not RFC 8259 JSON (or not UTF-8).
    case malformed(offset: Int, reason: String)
    /// Valid JSON, but arrays/objects nest deeper than the parser allows.
    case tooDeep(offset: Int)
    /// Valid JSON, but the top-level value is not an object.
    case notAnObject

    /// A short, client-facing explanation (no body content is echoed).
    public var message: String {
        switch self {
        case .malformed(let offset, let reason): "malformed JSON at byte \(offset): \(reason)"
        case .tooDeep(let offset): "JSON nests too deeply at byte \(offset)"
        case .notAnObject: "body must be a JSON object"
        }
    }

    /// The front's form of a reader's refusal: the depth limit is its own case, any other
    /// grammar error is `malformed` with the reader's explanation.
    init(_ error: JSONSyntaxError) {
        switch error.reason {
        case .tooDeep: self = .tooDeep(offset: error.offset)
        default: self = .malformed(offset: error.offset, reason: error.reason.description)
        }
    }
}
