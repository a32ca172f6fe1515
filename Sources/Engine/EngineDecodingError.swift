/// A record or snapshot whose bytes do not decode: the WAL's checksums passed, so this
/// means a format mismatch or a bug, never something to skip silently.
public enum EngineDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case invalidTag(offset: Int)
    case invalidText(offset: Int)
    case unsupportedVersion(UInt8)
    case trailingBytes(offset: Int)

    /// One line for logs and operators.
    public var description: String {
        switch self {
        case .truncated(let offset): "truncated at byte \(offset)"
        case .invalidTag(let offset): "unknown tag at byte \(offset)"
        case .invalidText(let offset): "invalid UTF-8 text at byte \(offset)"
        case .unsupportedVersion(let version): "unsupported format version \(version)"
        case .trailingBytes(let offset): "unexpected bytes after the end at byte \(offset)"
        }
    }
}
