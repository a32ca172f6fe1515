/// Where each leadership term starts in a log: the ascending list of `(term, firstLSN)` pairs.
///
/// A term starts at the LSN of its term record (see `TermRecord`) and runs up to the record
/// before the next term's record, or to the end of the log. A log with no term record is term 0
/// from LSN 1, which is what `TermHistory()` says. Two logs that hold the same term starting at
/// the same LSN hold the same records for as long as both contain that term (there is one leader
/// per term and every copy of its frames is byte-for-byte the same), which is what the
/// `DivergenceResolver` relies on, as Raft's log matching does.
///
/// Invariants (checked by every initialiser and `appending`, so a value is always valid): at
/// least one entry; the first starts at LSN 1; terms and first LSNs strictly ascend; at most
/// `maximumEntries` entries.
public struct TermHistory: Sendable, Hashable, CustomStringConvertible {
    /// One term and the LSN of its term record.
    public struct Entry: Sendable, Hashable {
        /// The leadership term.
        public var term: UInt64
        /// The LSN of the term's first record (its term record; 1 for the implicit term 0).
        public var firstLSN: UInt64

        /// Creates an entry.
        public init(term: UInt64, firstLSN: UInt64) {
            self.term = term
            self.firstLSN = firstLSN
        }
    }

    /// The most entries a history may hold (and a decoder accepts): one per leadership change,
    /// so far more than any real log sees, and small enough that a handshake stays small.
    public static let maximumEntries = 4096

    /// The entries, oldest first.
    public private(set) var entries: [Entry]

    /// The history of a log without any term record: term 0 from LSN 1.
    public init() {
        entries = [Entry(term: 0, firstLSN: 1)]
    }

    /// A history from its entries, oldest first; throws unless they satisfy the invariants.
    public init(entries: [Entry]) throws(ReplicationProtocolError) {
        guard let first = entries.first else { throw .invalidTermHistory("no entries") }
        guard first.firstLSN == 1 else { throw .invalidTermHistory("the first term starts at LSN \(first.firstLSN), not 1") }
        guard entries.count <= Self.maximumEntries else {
            throw .invalidTermHistory("\(entries.count) entries; at most \(Self.maximumEntries)")
        }
        for (previous, next) in zip(entries, entries.dropFirst()) {
            guard next.term > previous.term else {
                throw .invalidTermHistory("term \(next.term) follows term \(previous.term)")
            }
            guard next.firstLSN > previous.firstLSN else {
                throw .invalidTermHistory("term \(next.term) starts at LSN \(next.firstLSN), not after \(previous.firstLSN)")
            }
        }
        self.entries = entries
    }

    /// The newest term of the log.
    public var lastTerm: UInt64 { entries[entries.count - 1].term }

    /// True when `term` has an entry.
    public func contains(_ term: UInt64) -> Bool { index(of: term) != nil }

    /// The LSN at which `term` starts, or nil when the log has no such term.
    public func firstLSN(of term: UInt64) -> UInt64? { index(of: term).map { entries[$0].firstLSN } }

    /// The last LSN of `term` in a log that ends at `logEnd`, or nil when the log has no such
    /// term. An empty term (the implicit term 0 of a log whose first record is a term record,
    /// after truncation) ends at `firstLSN - 1`.
    public func end(of term: UInt64, logEnd: UInt64) -> UInt64? {
        guard let i = index(of: term) else { return nil }
        let start = entries[i].firstLSN
        let next = i + 1 < entries.count ? entries[i + 1].firstLSN - 1 : UInt64.max
        return max(start - 1, min(next, logEnd))
    }

    /// The term of the record at `lsn` (`lsn >= 1`), or nil for LSN 0.
    public func term(at lsn: UInt64) -> UInt64? {
        guard lsn >= 1 else { return nil }
        return entries.last(where: { $0.firstLSN <= lsn })?.term
    }

    /// True when a log ending at `logEnd` can have this history: the newest term's record is in
    /// the log (`firstLSN <= logEnd`), unless the only entry is the implicit term 0.
    public func isConsistent(withLogEnd logEnd: UInt64) -> Bool {
        let last = entries[entries.count - 1]
        return last.term == 0 ? true : last.firstLSN <= logEnd
    }

    /// This history with `term` starting at `firstLSN` (a term record at that LSN was appended).
    ///
    /// The term must be newer than the last one and start after it. The one exception is an
    /// empty implicit term 0: a term record at LSN 1 replaces it.
    public func appending(term: UInt64, firstLSN: UInt64) throws(ReplicationProtocolError) -> TermHistory {
        var entries = self.entries
        if entries.count == 1, entries[0].term == 0, firstLSN == 1 {
            entries.removeAll()
        }
        entries.append(Entry(term: term, firstLSN: firstLSN))
        return try TermHistory(entries: entries)
    }

    /// The history of this log cut back so that `lsn` is its last record: terms starting after
    /// `lsn` are dropped. Cutting below the first term leaves the implicit term 0.
    public func truncated(to lsn: UInt64) -> TermHistory {
        var copy = self
        copy.entries.removeAll { $0.firstLSN > lsn }
        if copy.entries.isEmpty { copy.entries = [Entry(term: 0, firstLSN: 1)] }
        return copy
    }

    public var description: String {
        entries.map { "\($0.term)@\($0.firstLSN)" }.joined(separator: ", ")
    }

    private func index(of term: UInt64) -> Int? {
        entries.firstIndex { $0.term == term }
    }
}

extension TermHistory {
    /// The history's bytes: `u32` entry count, then per entry `u64` term and `u64` first LSN.
    public func encoded() -> [UInt8] {
        var writer = WireWriter(capacity: 4 + 16 * entries.count)
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes exactly one history; throws on any byte that does not fit.
    public init(decoding bytes: [UInt8]) throws(ReplicationProtocolError) {
        var reader = WireReader(bytes, context: "term history")
        self = try TermHistory(from: &reader)
        try reader.expectEnd()
    }

    func encode(into writer: inout WireWriter) {
        writer.u32(UInt32(entries.count))
        for entry in entries {
            writer.u64(entry.term)
            writer.u64(entry.firstLSN)
        }
    }

    init(from reader: inout WireReader) throws(ReplicationProtocolError) {
        let count = Int(try reader.u32())
        guard count <= Self.maximumEntries else {
            throw .invalidTermHistory("\(count) entries; at most \(Self.maximumEntries)")
        }
        // Each entry is 16 bytes: refuse a count the body cannot hold before allocating for it.
        guard reader.remaining >= count * 16 else { throw .truncated(context: reader.context) }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            entries.append(Entry(term: try reader.u64(), firstLSN: try reader.u64()))
        }
        try self.init(entries: entries)
    }
}
