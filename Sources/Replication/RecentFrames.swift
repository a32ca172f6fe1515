import WAL

/// The newest frames the leader wrote, kept in memory up to a byte budget, so that streaming
/// followers are fed from memory; a follower further behind is fed from the segments on disk.
struct RecentFrames: Sendable {
    private var chunks: [WrittenFrames] = []
    private var head = 0
    private var bytes = 0
    let budget: Int

    init(budget: Int) {
        self.budget = max(budget, 1 << 20)
    }

    /// The last LSN held (0 when empty).
    var lastLSN: UInt64 { chunks.last?.lastLSN ?? 0 }

    mutating func append(_ frames: WrittenFrames) {
        // A frame rewritten after a failed sync comes again with the same LSNs: keep one copy.
        if let last = chunks.last, frames.lastLSN <= last.lastLSN { return }
        chunks.append(frames)
        bytes += frames.bytes.count
        while bytes > budget, head < chunks.count - 1 {
            bytes -= chunks[head].bytes.count
            head += 1
        }
        if head > 64, head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    /// The chunks covering `from...through`, when memory holds them all with `from` at a chunk
    /// start; nil when the caller must read the disk.
    func frames(from: UInt64, through: UInt64) -> [WrittenFrames]? {
        guard head < chunks.count else { return nil }
        var out: [WrittenFrames] = []
        for chunk in chunks[head...] {
            if chunk.lastLSN < from { continue }
            if out.isEmpty && chunk.firstLSN != from { return nil }
            if chunk.firstLSN > through { break }
            out.append(chunk)
        }
        guard let last = out.last, last.lastLSN >= through else { return nil }
        return out
    }
}
