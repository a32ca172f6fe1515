/// Counters of the group-commit writer, for metrics and `authd wal bench`.
public struct WALStatistics: Sendable, Equatable {
    /// `fdatasync` calls that made batches durable (preallocation syncs not included).
    public var fsyncs: UInt64 = 0
    /// Frames written.
    public var batches: UInt64 = 0
    /// Records written.
    public var records: UInt64 = 0
    /// Payload bytes before compression (record bytes + 4-byte length prefixes).
    public var bytesIn: UInt64 = 0
    /// Bytes written to segments for frames (headers + stored payload + padding).
    public var bytesOut: UInt64 = 0
    /// Records in the most recent frame.
    public var lastRecordsPerBatch: Int = 0
    /// Duration of the most recent batch `fdatasync`, microseconds.
    public var lastFsyncMicros: UInt64 = 0
    /// Sum of batch `fdatasync` durations, microseconds.
    public var totalFsyncMicros: UInt64 = 0
    /// Batch `fdatasync` durations by bucket (as many syncs as `fsyncs`).
    public var fsyncLatency = FsyncLatencyBuckets()
    /// Batches whose write or sync failed (each failure counted once).
    public var failedBatches: UInt64 = 0
    /// Retry attempts after failures.
    public var retries: UInt64 = 0
    /// Segment files created.
    public var segmentsCreated: UInt64 = 0
    /// Zero bytes written ahead of use by preallocation.
    public var preallocatedBytes: UInt64 = 0
    /// Preallocation steps whose write or sync failed (preallocation then stops for the segment;
    /// no record depends on those syncs).
    public var prefillFailures: UInt64 = 0

    /// Mean records per frame.
    public var averageRecordsPerBatch: Double { batches == 0 ? 0 : Double(records) / Double(batches) }
    /// Mean records per durable fsync (the group-commit gain in mode `always`).
    public var recordsPerFsync: Double { fsyncs == 0 ? 0 : Double(records) / Double(fsyncs) }
    /// Mean batch `fdatasync` duration, microseconds.
    public var averageFsyncMicros: Double { fsyncs == 0 ? 0 : Double(totalFsyncMicros) / Double(fsyncs) }
    /// bytesIn / bytesOut (> 1 when lz4 helps).
    public var compressionRatio: Double { bytesOut == 0 ? 1 : Double(bytesIn) / Double(bytesOut) }

    /// Creates zeroed counters.
    public init() {}

    /// Counts one batch `fdatasync` that took `micros`.
    mutating func recordFsync(micros: UInt64) {
        fsyncs += 1
        lastFsyncMicros = micros
        totalFsyncMicros += micros
        fsyncLatency.record(micros: micros)
    }
}
