/// Everything that can be wrong with replication bytes or replication settings.
///
/// Thrown by the message codec and decoder, the term history and term record codecs, the frame
/// header parser and the validating initialisers. The state machines never throw: they turn a
/// peer's mistake into a `refuse` action instead.
public enum ReplicationProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message declared a length above the decoder's (or encoder's) maximum.
    case messageTooLarge(length: Int, maximum: Int)
    /// A message declared length 0 (it must at least hold its type byte).
    case emptyMessage
    /// The type byte names no known message.
    case unknownMessageType(UInt8)
    /// A message body (or a term history, or a term record) ended before all of its fields;
    /// `context` names what was being read (`"proof message"`, `"term history"`).
    case truncated(context: String)
    /// A message body (or a standalone encoding) went on after its last field.
    case trailingBytes(context: String, count: Int)
    /// A text field is not valid UTF-8.
    case invalidText(field: String)
    /// A text field is longer than its bound, or empty where a value is required.
    case invalidTextLength(field: String, length: Int, maximum: Int)
    /// A fixed-size byte field (nonce, proof) has the wrong length.
    case invalidByteCount(field: String, count: Int, expected: Int)
    /// A refusal code byte names no known code.
    case unknownRefusalCode(UInt8)
    /// A stream mode byte names no known mode.
    case unknownStreamMode(UInt8)
    /// A term history is not ascending, does not start at LSN 1, or is too long.
    case invalidTermHistory(String)
    /// A field value contradicts another one (for example a snapshot chunk past its total size).
    case inconsistentField(context: String, reason: String)
    /// A WAL frame inside a `frames` message does not parse or does not verify.
    case malformedFrame(offset: Int, reason: String)
    /// A WAL control record (first byte 0xFF) is damaged.
    case malformedControlRecord(String)
    /// A WAL control record of a kind this version does not know.
    case unknownControlRecord(kind: UInt8)
    /// The replication secret is shorter than the minimum.
    case secretTooShort(length: Int, minimum: Int)
    /// A replication setting is out of range.
    case invalidSetting(name: String, reason: String)

    public var description: String {
        switch self {
        case let .messageTooLarge(length, maximum):
            "message of \(length) bytes exceeds the maximum of \(maximum)"
        case .emptyMessage:
            "message of length 0 (no type byte)"
        case let .unknownMessageType(type):
            "unknown message type \(type)"
        case let .truncated(context):
            "\(context) is truncated"
        case let .trailingBytes(context, count):
            "\(context) has \(count) unexpected trailing bytes"
        case let .invalidText(field):
            "\(field) is not valid UTF-8"
        case let .invalidTextLength(field, length, maximum):
            "\(field) has \(length) bytes; 1...\(maximum) allowed"
        case let .invalidByteCount(field, count, expected):
            "\(field) has \(count) bytes; exactly \(expected) required"
        case let .unknownRefusalCode(code):
            "unknown refusal code \(code)"
        case let .unknownStreamMode(mode):
            "unknown stream mode \(mode)"
        case let .invalidTermHistory(reason):
            "invalid term history: \(reason)"
        case let .inconsistentField(context, reason):
            "\(context): \(reason)"
        case let .malformedFrame(offset, reason):
            "WAL frame at byte \(offset): \(reason)"
        case let .malformedControlRecord(reason):
            "malformed control record: \(reason)"
        case let .unknownControlRecord(kind):
            "unknown control record kind \(kind)"
        case let .secretTooShort(length, minimum):
            "replication secret has \(length) bytes; at least \(minimum) required"
        case let .invalidSetting(name, reason):
            "\(name): \(reason)"
        }
    }
}
