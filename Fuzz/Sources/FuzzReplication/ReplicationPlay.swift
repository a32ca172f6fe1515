import Replication

/// The ways the replication target drives the wire code with one input.
enum ReplicationPlay {
    /// The messages in `bytes`, up to the first decoding error (returned as well).
    static func messages(_ bytes: [UInt8], piece: Int = .max) -> ([ReplicationMessage], ReplicationProtocolError?) {
        var decoder = ReplicationMessageDecoder(maximumMessageLength: 1 << 20)
        var messages: [ReplicationMessage] = []
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + min(piece, bytes.count))
            decoder.append(bytes[offset..<end])
            offset = end
            do throws(ReplicationProtocolError) {
                while let message = try decoder.next() { messages.append(message) }
            } catch {
                return (messages, error)
            }
        } while offset < bytes.count
        return (messages, nil)
    }

    /// Decodes in pieces of `piece` bytes; each message must encode, and decode back to itself.
    static func roundTrip(_ bytes: [UInt8], piece: Int) {
        for message in messages(bytes, piece: piece).0 {
            let encoded: [UInt8]
            do { encoded = try message.encoded(maximumLength: 1 << 20) } catch {
                fatalError("a decoded \(message.kind) message does not encode: \(error)")
            }
            guard (try? ReplicationMessageDecoder.decode(encoded, maximumMessageLength: 1 << 20)) == message else {
                fatalError("a \(message.kind) message changed in a round trip")
            }
            if case .frames(let frames) = message { _ = try? FrameHeaderView.frames(in: frames) }
        }
    }

    /// Plays the messages to a leader session; it must not let a follower join without the proof.
    static func leader(_ bytes: [UInt8]) {
        var session = HandshakeFixture.leader()
        let (received, failure) = messages(bytes)
        var helloNonce: [UInt8]?
        var proven = false
        var now: UInt64 = 1
        for message in received {
            switch message {
            case .hello(_, _, let nonce): if helloNonce == nil { helloNonce = nonce }
            case .proof(let proof, _):
                if let nonce = helloNonce, HandshakeFixture.authenticator.isValidFollowerProof(
                    proof, leaderNonce: HandshakeFixture.leaderNonce, followerNonce: nonce) { proven = true }
            default: break
            }
            var pending = session.received(message, now: now)
            while !pending.isEmpty {
                let action = pending.removeFirst()
                switch action {
                case .followerJoined where !proven: fatalError("a follower joined without a valid proof")
                case .locateCommonPoint: pending += session.commonPointLocated(crc: 0, now: now)
                case .sendSnapshot: pending += session.snapshotSent(lsn: 50, chainCRC: 0, nextFrameLSN: 51, now: now)
                default: break
                }
            }
            now += 1_000_000
        }
        if let failure { _ = session.decodingFailed(failure) }
        _ = session.tick(now: now + 60_000_000_000)
        _ = session.closed()
    }

    /// Plays the messages to a follower session; it must not stream from a leader that has not
    /// proven it knows the secret.
    static func follower(_ bytes: [UInt8]) {
        var session = HandshakeFixture.follower()
        _ = session.connected(now: 0)
        let (received, failure) = messages(bytes)
        var proven = false
        var now: UInt64 = 1
        for message in received {
            if case .challenge(let nonce, let proof) = message, session.phase == .helloSent,
               HandshakeFixture.authenticator.isValidLeaderProof(proof, followerNonce: HandshakeFixture.followerNonce, leaderNonce: nonce) {
                proven = true
            }
            for action in session.received(message, now: now) {
                if case .appendFrames(_, _, let last) = action { _ = session.framesDurable(through: last); _ = session.applied(through: last) }
            }
            if !proven, session.phase == .streaming || session.phase == .receivingSnapshot {
                fatalError("a follower streams from a leader without a valid proof")
            }
            now += 1_000_000
        }
        if let failure { _ = session.decodingFailed(failure) }
        _ = session.tick(now: now + 60_000_000_000)
        _ = session.closed()
    }
}
