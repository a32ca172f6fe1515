/// A limiter's entries on one shard, with memory bounded whatever the input.
///
/// - Keys are fixed-size digests (`LimiterKey`), so an entry costs the same whatever the
///   client sent.
/// - At most `limit` entries, ever. A new key arriving at a full table first evicts one
///   entry: the most evictable of a few sampled ones (the fullest or stalest bucket, the
///   lockout that remembers least). Evicted entries fail open; `evictedCount` counts them.
/// - Idle entries (equivalent to no entry) are removed when an update leaves one idle, and
///   by an incremental sweep: every access examines the next two slots, so a table that
///   is used keeps clearing itself without a pause, whatever limit the accessing request
///   has (each entry judges itself). When the table has emptied to a fraction of what it
///   once held, its storage is shrunk at the end of a sweep pass.
///
/// Every operation is O(1) (a sweep step, at most one eviction over `evictionSample`
/// slots); the occasional shrink is O(count) on a table that is mostly empty.
struct BoundedTable<Entry: BoundedTableEntry>: Sendable {
    private var positions: [LimiterKey: Int32] = [:]
    private var keys: [LimiterKey] = []
    private var entries: [Entry] = []
    private var cursor = 0
    /// The most entries the table holds.
    let limit: Int
    /// Entries dropped to make room while they still mattered.
    private(set) var evictedCount = 0

    /// Slots examined by each access's sweep step.
    static var sweepStep: Int { 2 }
    /// Slots compared to choose an eviction.
    static var evictionSample: Int { 8 }

    init(limit: Int) {
        self.limit = max(1, min(limit, Int(Int32.max)))
    }

    var count: Int { entries.count }

    /// Entries the storage has room for without growing (tests: memory is given back).
    var storageCapacity: Int { entries.capacity }

    /// The entry of `key`, if one is held (tests and inspection).
    func entry(_ key: LimiterKey) -> Entry? {
        positions[key].map { entries[Int($0)] }
    }

    /// Runs `body` on the entry of `key`, made by `make` when absent (after evicting one
    /// entry if the table is full). An entry that `body` leaves idle is removed.
    mutating func update<Result>(_ key: LimiterKey, now: Int64, make: () -> Entry, _ body: (inout Entry) -> Result) -> Result {
        sweep(now: now, slots: Self.sweepStep)
        let slot: Int
        if let found = positions[key] {
            slot = Int(found)
        } else {
            if entries.count >= limit { evict(near: key, now: now) }
            slot = entries.count
            positions[key] = Int32(slot)
            keys.append(key)
            entries.append(make())
        }
        let result = body(&entries[slot])
        if entries[slot].isIdle(now: now) { remove(at: slot) }
        return result
    }

    /// Examines up to `slots` entries from the sweep cursor, removing the idle ones.
    mutating func sweep(now: Int64, slots: Int) {
        for _ in 0..<slots {
            guard !entries.isEmpty else {
                cursor = 0
                shrinkIfSparse()
                return
            }
            if cursor >= entries.count {
                cursor = 0
                shrinkIfSparse()
            }
            if entries[cursor].isIdle(now: now) {
                remove(at: cursor)   // the entry moved into this slot is examined next
            } else {
                cursor += 1
            }
        }
    }

    /// Drops the most evictable of `evictionSample` consecutive slots from a point chosen by
    /// the new key's digest (uniform, and unknown to clients).
    private mutating func evict(near key: LimiterKey, now: Int64) {
        let count = entries.count
        let start = Int(key.high % UInt64(count))
        var chosen = start
        for offset in 1..<min(Self.evictionSample, count) {
            let slot = (start + offset) % count
            if entries[slot].isMoreEvictable(than: entries[chosen], now: now) { chosen = slot }
        }
        if !entries[chosen].isIdle(now: now) { evictedCount += 1 }
        remove(at: chosen)
    }

    /// Removes the entry in `slot`, moving the last entry into its place.
    private mutating func remove(at slot: Int) {
        let last = entries.count - 1
        positions[keys[slot]] = nil
        if slot != last {
            entries.swapAt(slot, last)
            keys.swapAt(slot, last)
            positions[keys[slot]] = Int32(slot)
        }
        entries.removeLast()
        keys.removeLast()
    }

    /// Gives memory back once the table holds less than an eighth of its storage (checked
    /// when a sweep pass wraps around, or finds the table empty).
    private mutating func shrinkIfSparse() {
        guard entries.capacity > 4096, entries.count * 8 < entries.capacity else { return }
        var newEntries: [Entry] = []
        var newKeys: [LimiterKey] = []
        var newPositions: [LimiterKey: Int32] = [:]
        newEntries.reserveCapacity(entries.count * 2)
        newKeys.reserveCapacity(entries.count * 2)
        newPositions.reserveCapacity(entries.count * 2)
        for (slot, key) in keys.enumerated() {
            newPositions[key] = Int32(slot)
        }
        newEntries.append(contentsOf: entries)
        newKeys.append(contentsOf: keys)
        entries = newEntries
        keys = newKeys
        positions = newPositions
    }
}
