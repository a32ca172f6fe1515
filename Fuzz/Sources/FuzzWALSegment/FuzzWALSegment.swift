import FuzzSupport
@testable import WAL

/// libFuzzer's set-up hook: writes the seed corpus (the segment files a real engine wrote, as
/// they are and marked for checksum fix-up) when asked.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    SeedWriter.writeIfAsked {
        let sample = SampleDataDirectory.make()
        defer { sample.remove() }
        var seeds: [(name: String, selector: UInt8, bytes: [UInt8])] = []
        for (index, segment) in sample.segments().enumerated() {
            // Real segments are preallocated with zeros; the written part is what matters.
            let end = LogScanner.lastNonZero(segment.bytes, from: 0)
            let written = Array(segment.bytes[0..<min(segment.bytes.count, FrameHeader.aligned(end) + 8)])
            seeds.append(("segment-\(index)", 0, written))
            seeds.append(("segment-\(index)-fixed-up", 1, written))
        }
        return seeds
    }
    return 0
}

/// One input. Selector bit 0: recompute the checksums first (`SegmentFixUp`); bit 1: scan it as a
/// segment that is followed by another (not the last). The scanner's frames are then decoded
/// into records, which must be as many as each frame header says.
/// The program's entry point (SwiftPM links `main` to it): libFuzzer's driver with `fuzzWALSegment`.
@_cdecl("FuzzWALSegment_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in fuzzWALSegment(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWALSegment(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let bytes = input.selector & 1 == 1 ? SegmentFixUp.apply(input.body) : input.body
    let nameLSN: UInt64 = bytes.count >= 16 ? ByteReader(bytes: bytes).u64(8) : 1
    let (segment, _) = LogScanner.scanSegment(
        bytes: bytes, name: SegmentName.pad20(nameLSN) + ".wal", path: "fuzz.wal", nameLSN: nameLSN, previous: nil,
        nextSegmentFirstLSN: input.selector & 2 == 2 ? nameLSN &+ 1_000_000 : nil)
    for frame in segment.frames {
        if case .success(let records) = FrameHeader.records(in: bytes, at: frame.offset, header: frame.header),
           records.count != Int(frame.header.recordCount) {
            fatalError("frame at \(frame.offset) says \(frame.header.recordCount) records, decoded \(records.count)")
        }
    }
    return 0
}
