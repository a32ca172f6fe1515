import Foundation
import Testing
@testable import WAL

/// Inputs the WAL and snapshot fuzz targets (Fuzz/Sources/FuzzWALSegment, FuzzSnapshot) found to
/// crash or exhaust memory, kept as regression tests (docs/reliability.md lists the findings).
/// Each is a header whose checksum is right but whose numbers are not.
@Suite struct FuzzFindingTests {
    /// A segment holding one frame built by `FrameHeader.frame` with the given numbers.
    private func segment(payload: [UInt8], rawLength: Int, firstLSN: UInt64, recordCount: Int) -> [UInt8] {
        let header = SegmentHeader(firstLSN: firstLSN, createdAt: 0, baseCRC: 0).encoded()
        let frame = FrameHeader.frame(flags: 0, payload: payload, rawLength: rawLength, firstLSN: firstLSN,
                                      recordCount: recordCount, prevCRC: 0, timestamp: 0)
        return header + frame.bytes
    }

    /// A frame claiming 4 Gi records in an 8-byte payload: decoding used to reserve room for
    /// all of them first (32 GiB) and die out of memory.
    @Test func aRecordCountThePayloadCannotHoldIsRefusedBeforeAnyReservation() {
        let bytes = segment(payload: BatchPayload.encode([[1, 2, 3, 4]]), rawLength: 8, firstLSN: 1, recordCount: Int(UInt32.max))
        let (scanned, _) = LogScanner.scanSegment(bytes: bytes, name: "x", path: "x", nameLSN: 1, previous: nil, nextSegmentFirstLSN: nil)
        for frame in scanned.frames {
            guard case .failure = FrameHeader.records(in: bytes, at: frame.offset, header: frame.header) else {
                Issue.record("a frame of 4 Gi records in 8 bytes decoded")
                return
            }
        }
        #expect(BatchPayload.decode([0, 0, 0, 0], count: Int(UInt32.max)) == nil)
    }

    /// A frame whose LSNs run past the largest LSN: the scanner's `lastLSN` used to overflow and trap.
    @Test func aFrameWhoseLSNsOverflowIsDamageNotATrap() {
        let bytes = segment(payload: BatchPayload.encode([[1], [2]]), rawLength: 10, firstLSN: UInt64.max, recordCount: 2)
        let first = SegmentHeader.size
        guard case .failure = FrameHeader.decodeVerified(bytes, at: first) else {
            Issue.record("a frame from LSN 2^64-1 holding 2 records verified")
            return
        }
        let (scanned, problems) = LogScanner.scanSegment(
            bytes: bytes, name: "x", path: "x", nameLSN: UInt64.max, previous: nil, nextSegmentFirstLSN: nil)
        #expect(scanned.frames.isEmpty)
        #expect(!problems.isEmpty)
    }

    /// lz4 never expands more than 255-fold: a raw length beyond that is refused before its
    /// buffer is allocated.
    @Test func anImpossibleExpansionIsRefusedUpFront() {
        #expect(LZ4Codec.decompress([0x10, 0x41][...], rawLength: 1 << 30) == nil)
        let raw = [UInt8](repeating: 7, count: 100_000)
        let compressed = LZ4Codec.compress(raw)!
        #expect(LZ4Codec.decompress(compressed[...], rawLength: raw.count) == raw)
    }

    /// A snapshot header (checksum right) with the given stored and payload lengths.
    private func snapshot(in directory: TestDirectory, storedLength: UInt64? = nil, payloadLength: UInt64? = nil) throws -> String {
        let store = SnapshotStore(directory: directory.path)
        let info = try store.write(lsn: 5, timestamp: 0, payload: Array(repeating: 3, count: 1000))
        var bytes = Files.read(info.path)
        func put(_ value: UInt64, at offset: Int) {
            for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }
        if let payloadLength { put(payloadLength, at: 24) }
        if let storedLength { put(storedLength, at: 32) }
        let crc = CRC32C.checksum(bytes[0..<60])
        for index in 0..<4 { bytes[60 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
        Files.write(info.path, bytes)
        return info.path
    }

    /// A stored length near 2^64: the file-size check used to add it to the header size and trap.
    @Test func aStoredLengthNearTheLargestIsCorruptionNotATrap() throws {
        let directory = TestDirectory()
        defer { directory.remove() }
        let path = try snapshot(in: directory, storedLength: UInt64.max - 10)
        #expect(throws: WALError.self) { try SnapshotStore(directory: directory.path).load(path: path) }
    }

    /// A payload length above `Int.max`: the loader used to convert it to `Int` to reserve room and trap.
    @Test func aPayloadLengthAboveIntMaxIsCorruptionNotATrap() throws {
        let directory = TestDirectory()
        defer { directory.remove() }
        let path = try snapshot(in: directory, payloadLength: UInt64.max)
        #expect(throws: WALError.self) { try SnapshotStore(directory: directory.path).load(path: path) }
    }
}
