/// When an appended record counts as durable.
public enum Durability: Sendable, Equatable {
    /// write + fdatasync before acknowledging (default).
    case always
    /// write before acknowledging; fdatasync every N milliseconds.
    case interval(milliseconds: Int)
    /// acknowledge immediately (tests and benchmarks only).
    case none
}
