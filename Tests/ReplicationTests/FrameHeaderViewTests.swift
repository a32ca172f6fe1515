import Foundation
import Testing
@testable import Replication
import WAL

/// Recomputes a frame's CRC after a test changed its header, so only the targeted check fails.
func resealed(_ frame: [UInt8]) -> [UInt8] {
    var bytes = frame
    let prev = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[28 + $1]) << (8 * $1) }
    let stored = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
    let end = min(bytes.count, 48 + stored)
    let crc = CRC32C.extend(CRC32C.extend(prev, bytes[0..<40]), bytes[48..<end])
    for i in 0..<4 { bytes[40 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    return bytes
}

func frameError(_ bytes: [UInt8], at offset: Int = 0) -> ReplicationProtocolError? {
    do {
        _ = try FrameHeaderView(bytes: bytes, at: offset)
        return nil
    } catch {
        return error
    }
}

@Suite struct FrameHeaderViewTests {
    @Test func readsEveryFieldOfARealFrame() throws {
        var chain = FrameChain(from: 41, crc: 0xABCD_EF01)
        let frame = chain.frame(count: 3)
        let header = try FrameHeaderView(bytes: frame, at: 0)
        #expect(header.firstLSN == 41)
        #expect(header.recordCount == 3)
        #expect(header.lastLSN == 43)
        #expect(header.prevCRC == 0xABCD_EF01)
        #expect(header.crc == chain.lastCRC)
        #expect(header.flags == 0)
        #expect(header.rawLength == header.storedLength)
        #expect(header.timestamp == 1_700_000_000_000)
        #expect(header.frameLength == frame.count)
        #expect(header.frameLength % 8 == 0)
    }

    @Test func readsCompressedFrames() throws {
        var chain = FrameChain()
        let frame = chain.frame([[UInt8](repeating: 65, count: 4000)], compress: true)
        let header = try FrameHeaderView(bytes: frame, at: 0)
        #expect(header.flags == 1)
        #expect(header.storedLength < header.rawLength)
        #expect(header.frameLength == frame.count)
    }

    @Test func framesInAChainAreReadBackToBack() throws {
        var chain = FrameChain()
        let bytes = chain.frame(count: 1) + chain.frame(count: 5, compress: true) + chain.frame(count: 2)
        let headers = try FrameHeaderView.frames(in: bytes)
        #expect(headers.map(\.firstLSN) == [1, 2, 7])
        #expect(headers.map(\.lastLSN) == [1, 6, 8])
        #expect(headers.last?.crc == chain.lastCRC)
        #expect(headers.first?.prevCRC == 0)
    }

    /// The frames a real `WriteAheadLog` wrote to its segment parse and chain.
    @Test func readsTheFramesOfARealSegment() async throws {
        let directory = NSTemporaryDirectory() + "repltests-\(UInt64.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try WriteAheadLog(configuration: WALConfiguration(directory: directory, preallocate: false))
        log.start()
        for i in 1...40 {
            let lsn = log.append([1] + Array("record \(i)".utf8))
            if i % 9 == 0 { try await log.waitUntilDurable(lsn) }
        }
        _ = log.append(contentsOf: (0..<20).map { _ in [UInt8](repeating: 1, count: 300) })
        try await log.flush()
        await log.close()
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory + "/wal").first { $0.hasSuffix(".wal") })
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/wal/" + segment)))
        // Frames follow the 32-byte segment header; zero bytes after the last one end the segment.
        var end = 32
        while end + 4 <= file.count, file[end..<(end + 4)] != [0, 0, 0, 0] {
            end += try FrameHeaderView(bytes: file, at: end).frameLength
        }
        let headers = try FrameHeaderView.frames(in: Array(file[32..<end]))
        #expect(headers.first?.firstLSN == 1)
        #expect(headers.first?.prevCRC == 0)
        #expect(headers.last?.lastLSN == 60)
        #expect(headers.reduce(0) { $0 + UInt64($1.recordCount) } == 60)
        #expect(headers.contains { $0.flags == 1 })
    }

    // MARK: Refusals

    @Test func partialHeadersAndFrames() {
        var chain = FrameChain()
        let frame = chain.frame(count: 2)
        #expect(frameError(Array(frame[0..<47])) == .malformedFrame(offset: 0, reason: "partial frame header (47 bytes)"))
        #expect(frameError(frame, at: frame.count) == .malformedFrame(offset: frame.count, reason: "partial frame header (0 bytes)"))
        #expect(frameError(frame, at: -1) == .malformedFrame(offset: -1, reason: "partial frame header (\(frame.count + 1) bytes)"))
        let cut = Array(frame[0..<(frame.count - 8)])
        #expect(frameError(cut) == .malformedFrame(offset: 0, reason: "partial frame: needs \(frame.count) bytes, \(cut.count) present"))
    }

    @Test func headerFieldsAreChecked() {
        var chain = FrameChain()
        let frame = chain.frame(count: 2)
        func with(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
            var copy = frame
            copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            return resealed(copy)
        }
        #expect(frameError(with(0, [0x57, 0x4C, 0x53, 0x47])) == .malformedFrame(offset: 0, reason: "bad frame magic"))
        #expect(frameError(with(4, [2, 0])) == .malformedFrame(offset: 0, reason: "unsupported frame version 2"))
        #expect(frameError(with(6, [2, 0])) == .malformedFrame(offset: 0, reason: "unknown frame flags"))
        #expect(frameError(with(44, [1, 0, 0, 0])) == .malformedFrame(offset: 0, reason: "unknown frame flags"))
        #expect(frameError(with(24, [0, 0, 0, 0])) == .malformedFrame(offset: 0, reason: "frame with no records or LSNs out of range"))
        #expect(frameError(with(16, le64(0))) == .malformedFrame(offset: 0, reason: "frame with no records or LSNs out of range"))
        #expect(frameError(with(16, le64(.max))) == .malformedFrame(offset: 0, reason: "frame with no records or LSNs out of range"))
        let raw = (0..<4).reduce(UInt32(0)) { $0 | UInt32(frame[12 + $1]) << (8 * $1) }
        #expect(frameError(with(12, le32(raw + 1))) == .malformedFrame(offset: 0, reason: "uncompressed payload with raw length \(raw + 1) != stored \(raw)"))
    }

    @Test func paddingMustBeZero() throws {
        var chain = FrameChain()
        var frame = chain.frame([[1, 2, 3]])  // 4 + 3 = 7 payload bytes: one byte of padding
        let header = try FrameHeaderView(bytes: frame, at: 0)
        #expect(header.storedLength == 7)
        frame[frame.count - 1] = 1
        #expect(frameError(frame) == .malformedFrame(offset: 0, reason: "non-zero padding after the payload"))
    }

    @Test func checksumIsVerified() {
        var chain = FrameChain()
        var frame = chain.frame(count: 2)
        frame[50] ^= 0x40  // a payload byte
        #expect(frameError(frame) == .malformedFrame(offset: 0, reason: "frame checksum mismatch"))
        var header = chain.frame(count: 1)
        header[32] ^= 1  // the timestamp, covered by the CRC
        #expect(frameError(header) == .malformedFrame(offset: 0, reason: "frame checksum mismatch"))
    }

    @Test func framesMustContinueAndChain() throws {
        var chain = FrameChain()
        let first = chain.frame(count: 2)
        let second = chain.frame(count: 1)
        // A gap in LSNs.
        var skip = FrameChain(from: 4, crc: try FrameHeaderView(bytes: first, at: 0).crc)
        let gap = skip.frame(count: 1)
        #expect(throws: ReplicationProtocolError.malformedFrame(offset: first.count, reason: "frame starts at LSN 4, expected 3")) {
            try FrameHeaderView.frames(in: first + gap)
        }
        // The right LSN, but chained from another CRC.
        var other = FrameChain(from: 3, crc: 12345)
        let broken = other.frame(count: 1)
        #expect(throws: ReplicationProtocolError.malformedFrame(offset: first.count, reason: "frame does not chain from the previous frame's CRC")) {
            try FrameHeaderView.frames(in: first + broken)
        }
        #expect(try FrameHeaderView.frames(in: first + second).count == 2)
        // A damaged second frame is reported at its offset.
        var damaged = second
        damaged[0] = 0
        #expect(throws: ReplicationProtocolError.malformedFrame(offset: first.count, reason: "bad frame magic")) {
            try FrameHeaderView.frames(in: first + damaged)
        }
    }
}
