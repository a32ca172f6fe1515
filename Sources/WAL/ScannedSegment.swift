/// What a scan learned about one segment file: its header, its valid frames, where they end.
struct ScannedSegment {
    struct Frame {
        var offset: Int
        var header: FrameHeader
    }

    var name: String
    var path: String
    /// From the file name.
    var firstLSN: UInt64
    /// nil when the header did not verify.
    var header: SegmentHeader?
    var fileSize: Int
    var frames: [Frame] = []
    /// Offset just past the last valid frame (where the next frame goes).
    var validEnd: Int
    /// The LSN the next frame after `validEnd` must start with.
    var nextLSN: UInt64
    /// CRC of the last valid frame (or `baseCRC`).
    var lastCRC: UInt32

    var recordCount: UInt64 { frames.reduce(0) { $0 + UInt64($1.header.recordCount) } }
}
