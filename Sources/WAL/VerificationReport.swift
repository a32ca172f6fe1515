/// What `WALVerifier` found in a data directory.
public struct VerificationReport: Sendable, Equatable {
    /// One segment file.
    public struct Segment: Sendable, Equatable {
        public var path: String
        /// From the file name.
        public var firstLSN: UInt64
        /// Last LSN of its valid frames (firstLSN - 1 when it has none).
        public var lastLSN: UInt64
        public var frames: Int
        public var records: UInt64
        /// Offset just past the last valid frame.
        public var validEnd: Int
        public var fileSize: Int
    }

    /// One snapshot file.
    public struct Snapshot: Sendable, Equatable {
        public var path: String
        public var lsn: UInt64
        public var payloadSize: Int
        /// nil when it verifies.
        public var problem: String?
    }

    public var segments: [Segment] = []
    public var snapshots: [Snapshot] = []
    /// Segment problems, each naming the file and byte offset.
    public var problems: [ScanProblem] = []
    /// Other problems (snapshot corruption, a gap between the newest snapshot and the log).
    public var otherProblems: [String] = []

    /// True when nothing needs attention (abandoned tails are informational).
    public var isHealthy: Bool {
        problems.allSatisfy { $0.kind == .abandonedTail } && otherProblems.isEmpty
    }
}
