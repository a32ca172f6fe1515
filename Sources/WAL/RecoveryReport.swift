/// What `WriteAheadLog.init` found and did: the shape of the log and any torn tail it cut.
public struct RecoveryReport: Sendable, Equatable {
    /// A torn tail that was cut off the last segment.
    public struct Cut: Sendable, Equatable {
        /// The segment file that was cut (or removed, when even its header was torn: offset 0).
        public var segment: String
        /// Byte offset of the cut: the end of the last whole frame.
        public var offset: Int
        /// How many (non-zero-tail) bytes were cut.
        public var bytes: Int
        /// Where the cut bytes were copied (`<segment>.broken`), nil when they were all zero.
        public var copyPath: String?
        /// Why the bytes were not a whole frame.
        public var reason: String
        /// The last LSN the log keeps: everything the cut bytes held came after it.
        public var lastKeptLSN: UInt64 = 0
    }

    /// Cuts performed (at most one per open in practice; more if a torn segment was removed and
    /// the previous one then had a torn tail too).
    public var cuts: [Cut] = []
    /// Harmless findings (for example abandoned bytes after a failed write in a non-last segment).
    public var notes: [String] = []
    /// Group or other permissions removed from the data directory and its files at open
    /// ("<path>: 0755 -> 0700").
    public var permissionChanges: [String] = []
    /// Segments moved aside by `WriteAheadLog.supersede(through:)` (their new paths).
    public var superseded: [String] = []
    /// Number of segment files after recovery.
    public var segments: Int = 0
    /// Whole frames found.
    public var frames: Int = 0
    /// Records found.
    public var records: UInt64 = 0
    /// First LSN still in the log (0 when empty).
    public var firstLSN: UInt64 = 0
    /// Last LSN in the log (0 when empty).
    public var lastLSN: UInt64 = 0

    /// The first cut, if any.
    public var cut: Cut? { cuts.first }
}
