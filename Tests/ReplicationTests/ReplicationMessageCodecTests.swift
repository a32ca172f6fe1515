import Testing
@testable import Replication

/// One message of every kind (and a few variants), with non-trivial field values.
let sampleMessages: [ReplicationMessage] = {
    var chain = FrameChain()
    let frames = chain.frame(count: 3) + chain.frame(count: 1, compress: true)
    let terms = history((0, 1), (3, 17), (9, 4711))
    return [
        .hello(version: 1, node: "node-a", nonce: nonce(7)),
        .hello(version: 65535, node: String(repeating: "é", count: 512), nonce: nonce(0)),
        .challenge(nonce: nonce(1), proof: nonce(2)),
        .proof(proof: nonce(3), position: LogPosition(durableLSN: 4800, lastCRC: 0xDEAD_BEEF, terms: terms)),
        .proof(proof: nonce(4), position: .empty),
        .start(StartInstruction(term: 9, leaderNode: "leader", leaderHTTP: "http://10.0.0.1:8080", mode: .stream, commonLSN: 4800, commonCRC: 0xDEAD_BEEF)),
        .start(StartInstruction(term: 10, leaderNode: "l", leaderHTTP: "h", mode: .truncateThenStream, commonLSN: 17, commonCRC: 1)),
        .start(StartInstruction(term: 11, leaderNode: "l", leaderHTTP: "h", mode: .snapshotFirst, commonLSN: 0, commonCRC: 0)),
        .frames(bytes: frames),
        .snapshotChunk(lsn: 100, totalBytes: 10, offset: 4, bytes: [1, 2, 3, 4, 5, 6]),
        .snapshotChunk(lsn: 100, totalBytes: 1, offset: 0, bytes: [9]),
        .snapshotDone(lsn: 100, chainCRC: 0x1234_5678, nextFrameLSN: 95, terms: history((0, 1), (3, 17))),
        .snapshotDone(lsn: 0, chainCRC: 0, nextFrameLSN: 1, terms: TermHistory()),
        .ack(durableLSN: 123, appliedLSN: 120),
        .ack(durableLSN: .max, appliedLSN: 0),
        .heartbeat(leaderDurableLSN: 99, leaderTimeMillis: -5),
        .heartbeat(leaderDurableLSN: 0, leaderTimeMillis: .max),
    ] + RefusalCode.allCases.map { .refuse(code: $0, message: "because \($0)") }
}()

/// `u32` length, type byte, body.
func rawMessage(type: UInt8, body: [UInt8]) -> [UInt8] {
    let length = UInt32(body.count + 1)
    return (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + [type] + body
}

func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }
func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func text(_ s: String) -> [UInt8] { le16(UInt16(s.utf8.count)) + Array(s.utf8) }

func decodeError(_ bytes: [UInt8]) -> ReplicationProtocolError? {
    do {
        _ = try ReplicationMessageDecoder.decode(bytes)
        return nil
    } catch {
        return error
    }
}

func encodeError(_ message: ReplicationMessage, maximumLength: Int = ReplicationMessageDecoder.defaultMaximumMessageLength) -> ReplicationProtocolError? {
    do {
        _ = try message.encoded(maximumLength: maximumLength)
        return nil
    } catch {
        return error
    }
}

@Suite struct ReplicationMessageCodecTests {
    @Test func everyKindIsCovered() {
        #expect(Set(sampleMessages.map(\.kind)) == Set(ReplicationMessage.Kind.allCases))
    }

    @Test func everyMessageRoundTrips() throws {
        for message in sampleMessages {
            let bytes = try message.encoded()
            #expect(try ReplicationMessageDecoder.decode(bytes) == message, "\(message.kind)")
            // The length field counts the type byte and the body.
            let length = bytes[0..<4].reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(length == bytes.count - 4)
            #expect(bytes[4] == message.kind.rawValue)
        }
    }

    @Test func fixedLayoutOfAnAck() throws {
        let bytes = try ReplicationMessage.ack(durableLSN: 0x0102, appliedLSN: 3).encoded()
        #expect(bytes == [17, 0, 0, 0, 8] + le64(0x0102) + le64(3))
    }

    @Test func fixedLayoutOfAHello() throws {
        let bytes = try ReplicationMessage.hello(version: 1, node: "ab", nonce: nonce(5)).encoded()
        #expect(bytes == rawMessage(type: 1, body: le16(1) + text("ab") + nonce(5)))
    }

    @Test func streamOfAllMessagesDecodesIncrementallyByteByByte() throws {
        let stream = try sampleMessages.flatMap { try $0.encoded() }
        var decoder = ReplicationMessageDecoder()
        var decoded: [ReplicationMessage] = []
        for byte in stream {
            decoder.append([byte])
            while let message = try decoder.next() { decoded.append(message) }
        }
        #expect(decoded == sampleMessages)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func streamDecodesInRandomSlices() throws {
        let stream = try sampleMessages.flatMap { try $0.encoded() }
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<50 {
            var decoder = ReplicationMessageDecoder()
            var decoded: [ReplicationMessage] = []
            var offset = 0
            while offset < stream.count {
                let step = Int.random(in: 1...200, using: &rng)
                let end = min(stream.count, offset + step)
                decoder.append(stream[offset..<end])
                offset = end
                while let message = try decoder.next() { decoded.append(message) }
            }
            #expect(decoded == sampleMessages)
        }
    }

    /// Every prefix of a message is "need more bytes", never an error or a message.
    @Test func everyTruncationOfTheStreamWaitsForMoreBytes() throws {
        for message in sampleMessages {
            let bytes = try message.encoded()
            for cut in 0..<bytes.count {
                var decoder = ReplicationMessageDecoder()
                decoder.append(bytes[0..<cut])
                #expect(try decoder.next() == nil)
                #expect(decodeError(Array(bytes[0..<cut])) != nil)
            }
        }
    }

    /// A body cut short under a matching (shorter) length field is an error or a different valid
    /// message (the data-carrying tails of `frames` and `snapshotChunk`), never a crash.
    @Test func everyTruncatedBodyIsRefusedOrValid() throws {
        for message in sampleMessages {
            let bytes = try message.encoded()
            let body = Array(bytes[5...])
            for cut in 0..<body.count {
                let shortened = rawMessage(type: bytes[4], body: Array(body[0..<cut]))
                if let decoded = try? ReplicationMessageDecoder.decode(shortened) {
                    #expect([.frames, .snapshotChunk].contains(decoded.kind), "\(message.kind) cut at \(cut)")
                    #expect(try decoded.encoded() == shortened)
                }
            }
        }
    }

    /// Random bytes: the decoder returns messages or throws; whatever decodes re-encodes to the
    /// very same bytes (the encoding is canonical).
    @Test func randomByteSoupNeverCrashes() throws {
        var rng = SeededGenerator(seed: 7)
        var decodedCount = 0, refusedCount = 0
        for round in 0..<3000 {
            var bytes = rng.bytes(Int.random(in: 0...96, using: &rng))
            if round % 2 == 0, bytes.count >= 5 {
                // Plausible headers get past the length check more often.
                let length = UInt32(bytes.count - 4)
                bytes.replaceSubrange(0..<4, with: le32(length))
                bytes[4] = UInt8.random(in: 0...11, using: &rng)
            }
            var decoder = ReplicationMessageDecoder(maximumMessageLength: 1 << 16)
            decoder.append(bytes)
            var consumed = 0
            do {
                while let message = try decoder.next() {
                    let encoded = try message.encoded()
                    #expect(Array(bytes[consumed..<(consumed + encoded.count)]) == encoded)
                    consumed += encoded.count
                    decodedCount += 1
                }
            } catch {
                // Refused: fine. The decoder stays failed.
                refusedCount += 1
                #expect(throws: ReplicationProtocolError.self) { try decoder.next() }
            }
        }
        // Both outcomes were exercised.
        #expect(decodedCount > 20)
        #expect(refusedCount > 1000)
    }

    /// Single-byte mutations of valid messages: refused, or a valid message that re-encodes to
    /// the mutated bytes.
    @Test func mutatedMessagesAreRefusedOrCanonical() throws {
        var rng = SeededGenerator(seed: 99)
        for message in sampleMessages {
            let bytes = try message.encoded()
            for _ in 0..<200 {
                var mutated = bytes
                let at = Int.random(in: 0..<mutated.count, using: &rng)
                mutated[at] ^= UInt8.random(in: 1...255, using: &rng)
                guard let decoded = try? ReplicationMessageDecoder.decode(mutated) else { continue }
                #expect(try decoded.encoded() == mutated)
            }
        }
    }

    // MARK: Framing errors

    @Test func zeroLengthIsRefused() {
        #expect(decodeError([0, 0, 0, 0]) == .emptyMessage)
    }

    @Test func lengthAboveTheMaximumIsRefusedBeforeTheBodyArrives() {
        var decoder = ReplicationMessageDecoder(maximumMessageLength: 100)
        decoder.append(le32(101))
        #expect(throws: ReplicationProtocolError.messageTooLarge(length: 101, maximum: 100)) { try decoder.next() }
        var atLimit = ReplicationMessageDecoder(maximumMessageLength: 17)
        atLimit.append(try! ReplicationMessage.ack(durableLSN: 1, appliedLSN: 1).encoded())
        #expect(try! atLimit.next() == .ack(durableLSN: 1, appliedLSN: 1))
        #expect(decodeError(le32(UInt32.max)) == .messageTooLarge(length: Int(UInt32.max), maximum: 64 << 20))
    }

    @Test func encoderRefusesAMessageAboveTheMaximum() {
        let big = ReplicationMessage.snapshotChunk(lsn: 1, totalBytes: 1000, offset: 0, bytes: [UInt8](repeating: 1, count: 1000))
        #expect(encodeError(big, maximumLength: 1000) == .messageTooLarge(length: 1025, maximum: 1000))
        #expect(encodeError(big, maximumLength: 1025) == nil)
    }

    @Test func unknownTypesAreRefused() {
        for type: UInt8 in [0, 11, 0x7F, 0xFF] {
            #expect(decodeError(rawMessage(type: type, body: [])) == .unknownMessageType(type))
        }
    }

    @Test func decoderStaysFailedAfterAnError() throws {
        var decoder = ReplicationMessageDecoder()
        decoder.append(rawMessage(type: 0xEE, body: []))
        decoder.append(try ReplicationMessage.ack(durableLSN: 1, appliedLSN: 1).encoded())
        #expect(throws: ReplicationProtocolError.unknownMessageType(0xEE)) { try decoder.next() }
        #expect(throws: ReplicationProtocolError.unknownMessageType(0xEE)) { try decoder.next() }
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func staticDecodeRefusesExtraBytesAfterTheMessage() throws {
        let bytes = try ReplicationMessage.ack(durableLSN: 1, appliedLSN: 2).encoded()
        #expect(decodeError(bytes + [0]) == .trailingBytes(context: "ack message", count: 1))
    }

    @Test func bodyLongerThanItsFieldsIsRefused() {
        let body = le64(1) + le64(2) + [0]
        #expect(decodeError(rawMessage(type: 8, body: body)) == .trailingBytes(context: "ack message", count: 1))
        let heartbeat = le64(1) + le64(2) + [0, 0]
        #expect(decodeError(rawMessage(type: 9, body: heartbeat)) == .trailingBytes(context: "heartbeat message", count: 2))
    }

    @Test func bodyShorterThanItsFieldsIsRefused() {
        #expect(decodeError(rawMessage(type: 8, body: le64(1))) == .truncated(context: "ack message"))
        #expect(decodeError(rawMessage(type: 2, body: nonce(1) + [1])) == .truncated(context: "challenge message"))
    }

    // MARK: Field errors

    @Test func noncesAndProofsMustBe32Bytes() {
        let short = [UInt8](repeating: 1, count: 31), long = [UInt8](repeating: 1, count: 33)
        #expect(encodeError(.hello(version: 1, node: "n", nonce: short)) == .invalidByteCount(field: "nonce", count: 31, expected: 32))
        #expect(encodeError(.challenge(nonce: long, proof: nonce(1))) == .invalidByteCount(field: "nonce", count: 33, expected: 32))
        #expect(encodeError(.challenge(nonce: nonce(1), proof: short)) == .invalidByteCount(field: "proof", count: 31, expected: 32))
        #expect(encodeError(.proof(proof: [], position: .empty)) == .invalidByteCount(field: "proof", count: 0, expected: 32))
        // On the wire a short nonce is a short body.
        #expect(decodeError(rawMessage(type: 1, body: le16(1) + text("n") + short)) == .truncated(context: "hello message"))
        #expect(decodeError(rawMessage(type: 1, body: le16(1) + text("n") + long)) == .trailingBytes(context: "hello message", count: 1))
    }

    @Test func textsAreBounded() {
        let long = String(repeating: "x", count: 1025)
        #expect(encodeError(.hello(version: 1, node: long, nonce: nonce(1))) == .invalidTextLength(field: "node", length: 1025, maximum: 1024))
        #expect(encodeError(.hello(version: 1, node: "", nonce: nonce(1))) == .invalidTextLength(field: "node", length: 0, maximum: 1024))
        #expect(encodeError(.refuse(code: .badSecret, message: "")) == .invalidTextLength(field: "message", length: 0, maximum: 1024))
        let start = StartInstruction(term: 1, leaderNode: "l", leaderHTTP: long, mode: .stream, commonLSN: 0, commonCRC: 0)
        #expect(encodeError(.start(start)) == .invalidTextLength(field: "leaderHTTP", length: 1025, maximum: 1024))
        #expect(encodeError(.hello(version: 1, node: String(repeating: "x", count: 1024), nonce: nonce(1))) == nil)
        let overLong = le16(1) + le16(1025) + [UInt8](repeating: 0x61, count: 1025) + nonce(1)
        #expect(decodeError(rawMessage(type: 1, body: overLong)) == .invalidTextLength(field: "node", length: 1025, maximum: 1024))
        #expect(decodeError(rawMessage(type: 1, body: le16(1) + le16(0) + nonce(1))) == .invalidTextLength(field: "node", length: 0, maximum: 1024))
    }

    @Test func textsMustBeUTF8() {
        let body = le16(1) + le16(2) + [0xC3, 0x28] + nonce(1)
        #expect(decodeError(rawMessage(type: 1, body: body)) == .invalidText(field: "node"))
        #expect(decodeError(rawMessage(type: 10, body: [1] + le16(1) + [0xFF])) == .invalidText(field: "message"))
    }

    @Test func unknownRefusalCodesAndModesAreRefused() {
        #expect(decodeError(rawMessage(type: 10, body: [0] + text("x"))) == .unknownRefusalCode(0))
        #expect(decodeError(rawMessage(type: 10, body: [9] + text("x"))) == .unknownRefusalCode(9))
        let start = le64(1) + text("l") + text("h") + [4] + le64(0) + le32(0)
        #expect(decodeError(rawMessage(type: 4, body: start)) == .unknownStreamMode(4))
    }

    @Test func snapshotFirstCarriesNoCommonPoint() {
        let start = StartInstruction(term: 1, leaderNode: "l", leaderHTTP: "h", mode: .snapshotFirst, commonLSN: 5, commonCRC: 0)
        let error = ReplicationProtocolError.inconsistentField(context: "start message", reason: "snapshotFirst with a common point")
        #expect(encodeError(.start(start)) == error)
        let body = le64(1) + text("l") + text("h") + [3] + le64(0) + le32(7)
        #expect(decodeError(rawMessage(type: 4, body: body)) == error)
    }

    @Test func framesBodyMustHoldWhole8ByteAlignedFrames() {
        for count in [0, 8, 40, 52, 57] {
            let error = ReplicationProtocolError.inconsistentField(
                context: "frames message", reason: "\(count) bytes cannot be whole 8-byte aligned frames")
            #expect(encodeError(.frames(bytes: [UInt8](repeating: 0, count: count))) == error)
            #expect(decodeError(rawMessage(type: 5, body: [UInt8](repeating: 0, count: count))) == error)
        }
    }

    @Test func snapshotChunksLieInsideTheirFile() {
        func error(_ count: Int, _ offset: UInt64, _ total: UInt64) -> ReplicationProtocolError {
            .inconsistentField(context: "snapshotChunk message", reason: "\(count) bytes at offset \(offset) do not fit a file of \(total) bytes")
        }
        #expect(encodeError(.snapshotChunk(lsn: 1, totalBytes: 4, offset: 2, bytes: [1, 2, 3])) == error(3, 2, 4))
        #expect(encodeError(.snapshotChunk(lsn: 1, totalBytes: 4, offset: 5, bytes: [1])) == error(1, 5, 4))
        #expect(encodeError(.snapshotChunk(lsn: 1, totalBytes: 4, offset: 0, bytes: [])) == error(0, 0, 4))
        #expect(decodeError(rawMessage(type: 6, body: le64(1) + le64(.max) + le64(.max) + [1])) == error(1, .max, .max))
        #expect(decodeError(rawMessage(type: 6, body: le64(1) + le64(2) + le64(1) + [1, 2])) == error(2, 1, 2))
    }

    @Test func snapshotDoneFramesFollowTheSnapshot() {
        let next = ReplicationMessage.snapshotDone(lsn: 10, chainCRC: 0, nextFrameLSN: 12, terms: TermHistory())
        #expect(encodeError(next) == .inconsistentField(context: "snapshotDone message", reason: "next frame LSN 12 does not follow snapshot LSN 10"))
        let zero = ReplicationMessage.snapshotDone(lsn: 10, chainCRC: 0, nextFrameLSN: 0, terms: TermHistory())
        #expect(encodeError(zero) == .inconsistentField(context: "snapshotDone message", reason: "next frame LSN 0 does not follow snapshot LSN 10"))
        let terms = ReplicationMessage.snapshotDone(lsn: 10, chainCRC: 0, nextFrameLSN: 8, terms: history((0, 1), (2, 8)))
        #expect(encodeError(terms) == .inconsistentField(context: "snapshotDone message", reason: "term history 0@1, 2@8 reaches past LSN 7"))
        let body = le64(10) + le32(0) + le64(12) + TermHistory().encoded()
        #expect(decodeError(rawMessage(type: 7, body: body)) == .inconsistentField(context: "snapshotDone message", reason: "next frame LSN 12 does not follow snapshot LSN 10"))
    }

    @Test func termHistoriesInMessagesAreChecked() {
        let prefix = nonce(1) + le64(5) + le32(0)
        // Count above the bound.
        #expect(decodeError(rawMessage(type: 3, body: prefix + le32(4097))) == .invalidTermHistory("4097 entries; at most 4096"))
        // Count the body cannot hold: refused before reading (or allocating for) the entries.
        #expect(decodeError(rawMessage(type: 3, body: prefix + le32(3) + le64(0) + le64(1))) == .truncated(context: "proof message"))
        // Not ascending.
        let descending = le32(2) + le64(5) + le64(1) + le64(4) + le64(3)
        #expect(decodeError(rawMessage(type: 3, body: prefix + descending)) == .invalidTermHistory("term 4 follows term 5"))
        // Empty.
        #expect(decodeError(rawMessage(type: 3, body: prefix + le32(0))) == .invalidTermHistory("no entries"))
    }
}
