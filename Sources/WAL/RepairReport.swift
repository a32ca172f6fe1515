/// What `WALRepair` did.
public struct RepairReport: Sendable, Equatable {
    /// The problem it cut at (nil when the log was healthy and nothing was done).
    public var problem: ScanProblem?
    /// Where the cut bytes were copied (`<segment>.broken`).
    public var copyPath: String?
    /// Later segments moved aside (`from` -> `to`, a `.broken` name), because they continue a log
    /// that now ends earlier.
    public var movedSegments: [Move] = []

    /// One renamed file.
    public struct Move: Sendable, Equatable {
        public var from: String
        public var to: String
    }

    /// The last LSN left in the log after the repair.
    public var lastLSN: UInt64 = 0
}
