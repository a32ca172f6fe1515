/// What a `BoundedTable` needs to know about its entries to keep memory bounded.
protocol BoundedTableEntry: Sendable {
    /// True when dropping the entry changes no answer (a refilled bucket, a lockout whose
    /// window has passed): idle entries are removed as soon as they are seen.
    func isIdle(now: Int64) -> Bool
    /// Whether this entry should leave before `other` when the table is full: the one
    /// whose loss forgets the least.
    func isMoreEvictable(than other: Self, now: Int64) -> Bool
}
