extension ReplicationMessage {
    /// The message's bytes on the wire: `u32` length (type byte + body), `u8` type, body.
    ///
    /// Throws what the decoder would refuse: a nonce or proof that is not 32 bytes, an empty or
    /// over-long text, a `frames` body that cannot hold whole frames, a snapshot chunk outside its
    /// file, a `snapshotDone` whose frames do not follow on, or a message longer than
    /// `maximumLength`.
    public func encoded(
        maximumLength: Int = ReplicationMessageDecoder.defaultMaximumMessageLength
    ) throws(ReplicationProtocolError) -> [UInt8] {
        var writer = WireWriter(capacity: Self.headerLength + estimatedBodyLength)
        writer.u32(0)  // the length, patched below
        writer.u8(kind.rawValue)
        try encodeBody(into: &writer)
        var bytes = writer.bytes
        let length = bytes.count - 4
        guard length <= maximumLength else { throw .messageTooLarge(length: length, maximum: maximumLength) }
        let field = UInt32(length).littleEndian
        withUnsafeBytes(of: field) { raw in
            for i in 0..<4 { bytes[i] = raw[i] }
        }
        return bytes
    }

    /// Decodes one message from its type byte and the `body` bytes `start..<end` of `bytes`
    /// (the length field already checked by the caller).
    static func decode(
        type: UInt8, _ bytes: [UInt8], from start: Int, to end: Int
    ) throws(ReplicationProtocolError) -> ReplicationMessage {
        guard let kind = Kind(rawValue: type) else { throw .unknownMessageType(type) }
        var r = WireReader(bytes, from: start, to: end, context: "\(kind) message")
        let message: ReplicationMessage
        switch kind {
        case .hello:
            let version = try r.u16()
            let node = try r.text(field: "node", maximum: maximumTextLength)
            message = .hello(version: version, node: node, nonce: try r.bytes(nonceLength))
        case .challenge:
            message = .challenge(nonce: try r.bytes(nonceLength), proof: try r.bytes(proofLength))
        case .proof:
            let proof = try r.bytes(proofLength)
            let durable = try r.u64()
            let crc = try r.u32()
            message = .proof(proof: proof, position: LogPosition(durableLSN: durable, lastCRC: crc, terms: try TermHistory(from: &r)))
        case .start:
            let term = try r.u64()
            let leaderNode = try r.text(field: "leaderNode", maximum: maximumTextLength)
            let leaderHTTP = try r.text(field: "leaderHTTP", maximum: maximumTextLength)
            let modeByte = try r.u8()
            guard let mode = StartInstruction.Mode(rawValue: modeByte) else { throw .unknownStreamMode(modeByte) }
            let instruction = StartInstruction(
                term: term, leaderNode: leaderNode, leaderHTTP: leaderHTTP, mode: mode,
                commonLSN: try r.u64(), commonCRC: try r.u32())
            try Self.check(instruction)
            message = .start(instruction)
        case .frames:
            let bytes = r.rest()
            try Self.checkFrames(bytes)
            message = .frames(bytes: bytes)
        case .snapshotChunk:
            let lsn = try r.u64(), total = try r.u64(), offset = try r.u64()
            let bytes = r.rest()
            try Self.checkChunk(totalBytes: total, offset: offset, count: bytes.count)
            message = .snapshotChunk(lsn: lsn, totalBytes: total, offset: offset, bytes: bytes)
        case .snapshotDone:
            let lsn = try r.u64(), crc = try r.u32(), next = try r.u64()
            let terms = try TermHistory(from: &r)
            try Self.checkSnapshotDone(lsn: lsn, nextFrameLSN: next, terms: terms)
            message = .snapshotDone(lsn: lsn, chainCRC: crc, nextFrameLSN: next, terms: terms)
        case .ack:
            message = .ack(durableLSN: try r.u64(), appliedLSN: try r.u64())
        case .heartbeat:
            message = .heartbeat(leaderDurableLSN: try r.u64(), leaderTimeMillis: try r.i64())
        case .refuse:
            let codeByte = try r.u8()
            guard let code = RefusalCode(rawValue: codeByte) else { throw .unknownRefusalCode(codeByte) }
            message = .refuse(code: code, message: try r.text(field: "message", maximum: maximumTextLength))
        }
        try r.expectEnd()
        return message
    }

    private func encodeBody(into w: inout WireWriter) throws(ReplicationProtocolError) {
        let text = Self.maximumTextLength
        switch self {
        case let .hello(version, node, nonce):
            w.u16(version)
            try w.text(node, field: "node", maximum: text)
            try w.fixed(nonce, field: "nonce", count: Self.nonceLength)
        case let .challenge(nonce, proof):
            try w.fixed(nonce, field: "nonce", count: Self.nonceLength)
            try w.fixed(proof, field: "proof", count: Self.proofLength)
        case let .proof(proof, position):
            try w.fixed(proof, field: "proof", count: Self.proofLength)
            w.u64(position.durableLSN)
            w.u32(position.lastCRC)
            position.terms.encode(into: &w)
        case let .start(instruction):
            try Self.check(instruction)
            w.u64(instruction.term)
            try w.text(instruction.leaderNode, field: "leaderNode", maximum: text)
            try w.text(instruction.leaderHTTP, field: "leaderHTTP", maximum: text)
            w.u8(instruction.mode.rawValue)
            w.u64(instruction.commonLSN)
            w.u32(instruction.commonCRC)
        case let .frames(bytes):
            try Self.checkFrames(bytes)
            w.append(bytes)
        case let .snapshotChunk(lsn, total, offset, bytes):
            try Self.checkChunk(totalBytes: total, offset: offset, count: bytes.count)
            w.u64(lsn)
            w.u64(total)
            w.u64(offset)
            w.append(bytes)
        case let .snapshotDone(lsn, crc, next, terms):
            try Self.checkSnapshotDone(lsn: lsn, nextFrameLSN: next, terms: terms)
            w.u64(lsn)
            w.u32(crc)
            w.u64(next)
            terms.encode(into: &w)
        case let .ack(durable, applied):
            w.u64(durable)
            w.u64(applied)
        case let .heartbeat(durable, time):
            w.u64(durable)
            w.i64(time)
        case let .refuse(code, message):
            w.u8(code.rawValue)
            try w.text(message, field: "message", maximum: text)
        }
    }

    private var estimatedBodyLength: Int {
        switch self {
        case let .frames(bytes): bytes.count
        case let .snapshotChunk(_, _, _, bytes): 24 + bytes.count
        case let .proof(_, position): 48 + 16 * position.terms.entries.count
        case let .snapshotDone(_, _, _, terms): 24 + 16 * terms.entries.count
        default: 96
        }
    }

    /// A snapshot-first start carries no join point (it comes with `snapshotDone`).
    private static func check(_ instruction: StartInstruction) throws(ReplicationProtocolError) {
        if instruction.mode == .snapshotFirst, instruction.commonLSN != 0 || instruction.commonCRC != 0 {
            throw .inconsistentField(context: "start message", reason: "snapshotFirst with a common point")
        }
    }

    /// A `frames` body holds at least one frame header, and frames are 8-byte aligned.
    private static func checkFrames(_ bytes: [UInt8]) throws(ReplicationProtocolError) {
        guard bytes.count >= FrameHeaderView.size, bytes.count % 8 == 0 else {
            throw .inconsistentField(
                context: "frames message", reason: "\(bytes.count) bytes cannot be whole 8-byte aligned frames")
        }
    }

    /// A chunk is non-empty and lies inside its file.
    private static func checkChunk(totalBytes: UInt64, offset: UInt64, count: Int) throws(ReplicationProtocolError) {
        guard count > 0, offset <= totalBytes, UInt64(count) <= totalBytes - offset else {
            throw .inconsistentField(
                context: "snapshotChunk message",
                reason: "\(count) bytes at offset \(offset) do not fit a file of \(totalBytes) bytes")
        }
    }

    /// Frames after a snapshot start at or before `lsn + 1`, and the term history covers only LSNs
    /// below them.
    private static func checkSnapshotDone(lsn: UInt64, nextFrameLSN: UInt64, terms: TermHistory) throws(ReplicationProtocolError) {
        guard nextFrameLSN >= 1, nextFrameLSN - 1 <= lsn else {
            throw .inconsistentField(
                context: "snapshotDone message", reason: "next frame LSN \(nextFrameLSN) does not follow snapshot LSN \(lsn)")
        }
        guard terms.isConsistent(withLogEnd: nextFrameLSN - 1) else {
            throw .inconsistentField(
                context: "snapshotDone message", reason: "term history \(terms) reaches past LSN \(nextFrameLSN - 1)")
        }
    }
}
