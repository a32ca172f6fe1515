/// A record or snapshot whose bytes do not decode: the WAL's checksums passed, so this
/// means a format mismatch or a bug, never something to skip silently.
public enum EngineDecodingError: Error, Sendable, Equatable {
    case truncated(offset: Int)
    case invalidTag(offset: Int)
    case invalidText(offset: Int)
    case unsupportedVersion(UInt8)
    case trailingBytes(offset: Int)
}
