import Testing
@testable import Replication

@Suite struct TermHistoryTests {
    @Test func aLogWithoutTermRecordsIsTermZeroFromLSN1() {
        let terms = TermHistory()
        #expect(terms.entries == [TermHistory.Entry(term: 0, firstLSN: 1)])
        #expect(terms.lastTerm == 0)
        #expect(terms.contains(0))
        #expect(!terms.contains(1))
        #expect(terms.end(of: 0, logEnd: 0) == 0)
        #expect(terms.end(of: 0, logEnd: 42) == 42)
        #expect(terms.term(at: 1) == 0)
        #expect(terms.term(at: 0) == nil)
    }

    @Test func endOfEachTerm() {
        let terms = history((0, 1), (3, 10), (5, 20))
        #expect(terms.end(of: 0, logEnd: 30) == 9)
        #expect(terms.end(of: 3, logEnd: 30) == 19)
        #expect(terms.end(of: 5, logEnd: 30) == 30)
        #expect(terms.end(of: 4, logEnd: 30) == nil)
        // A log that ends inside an older term's range (inconsistent with the history) still
        // never reports an end past the log.
        #expect(terms.end(of: 3, logEnd: 15) == 15)
        #expect(terms.firstLSN(of: 3) == 10)
        #expect(terms.firstLSN(of: 4) == nil)
        #expect(terms.term(at: 9) == 0)
        #expect(terms.term(at: 10) == 3)
        #expect(terms.term(at: 1000) == 5)
    }

    @Test func appendingTerms() throws {
        let one = try TermHistory().appending(term: 2, firstLSN: 7)
        #expect(one == history((0, 1), (2, 7)))
        let two = try one.appending(term: 5, firstLSN: 9)
        #expect(two == history((0, 1), (2, 7), (5, 9)))
        // A term record as the very first record replaces the empty implicit term 0.
        #expect(try TermHistory().appending(term: 1, firstLSN: 1) == history((1, 1)))
        #expect(try TermHistory().appending(term: 1, firstLSN: 1).end(of: 1, logEnd: 0) == 0)
    }

    @Test func appendingAnOlderOrEqualTermIsRefused() {
        let terms = history((0, 1), (4, 10))
        #expect(throws: ReplicationProtocolError.invalidTermHistory("term 4 follows term 4")) {
            try terms.appending(term: 4, firstLSN: 20)
        }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("term 3 follows term 4")) {
            try terms.appending(term: 3, firstLSN: 20)
        }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("term 5 starts at LSN 10, not after 10")) {
            try terms.appending(term: 5, firstLSN: 10)
        }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("term 5 starts at LSN 9, not after 10")) {
            try terms.appending(term: 5, firstLSN: 9)
        }
    }

    @Test func invalidEntriesAreRefused() throws {
        #expect(throws: ReplicationProtocolError.invalidTermHistory("no entries")) { try TermHistory(entries: []) }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("the first term starts at LSN 5, not 1")) {
            try TermHistory(entries: [.init(term: 2, firstLSN: 5)])
        }
        let tooMany = (0..<4097).map { TermHistory.Entry(term: UInt64($0), firstLSN: UInt64($0) + 1) }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("4097 entries; at most 4096")) {
            try TermHistory(entries: tooMany)
        }
        #expect(try TermHistory(entries: Array(tooMany.prefix(4096))).entries.count == 4096)
    }

    @Test func truncation() {
        let terms = history((0, 1), (3, 10), (5, 20))
        #expect(terms.truncated(to: 25) == terms)
        #expect(terms.truncated(to: 20) == terms)
        #expect(terms.truncated(to: 19) == history((0, 1), (3, 10)))
        #expect(terms.truncated(to: 9) == history((0, 1)))
        #expect(terms.truncated(to: 0) == TermHistory())
        #expect(history((4, 1), (6, 3)).truncated(to: 0) == TermHistory())
        #expect(history((4, 1), (6, 3)).truncated(to: 2) == history((4, 1)))
    }

    @Test func consistencyWithTheLogEnd() {
        #expect(TermHistory().isConsistent(withLogEnd: 0))
        #expect(history((0, 1), (3, 10)).isConsistent(withLogEnd: 10))
        #expect(!history((0, 1), (3, 10)).isConsistent(withLogEnd: 9))
        #expect(!history((1, 1)).isConsistent(withLogEnd: 0))
        #expect(history((1, 1)).isConsistent(withLogEnd: 1))
    }

    @Test func codecRoundTripsAndIsStrict() throws {
        for terms in [TermHistory(), history((0, 1), (3, 10), (.max, .max)), history((7, 1))] {
            #expect(try TermHistory(decoding: terms.encoded()) == terms)
        }
        let bytes = history((0, 1), (3, 10)).encoded()
        #expect(bytes == le32(2) + le64(0) + le64(1) + le64(3) + le64(10))
        #expect(throws: ReplicationProtocolError.trailingBytes(context: "term history", count: 1)) {
            try TermHistory(decoding: bytes + [0])
        }
        for cut in 0..<bytes.count {
            #expect(throws: ReplicationProtocolError.truncated(context: "term history")) {
                try TermHistory(decoding: Array(bytes[0..<cut]))
            }
        }
        #expect(throws: ReplicationProtocolError.invalidTermHistory("the first term starts at LSN 2, not 1")) {
            try TermHistory(decoding: le32(1) + le64(0) + le64(2))
        }
    }

    @Test func descriptionListsTermAtLSN() {
        #expect(history((0, 1), (3, 10)).description == "0@1, 3@10")
    }
}

@Suite struct TermRecordTests {
    @Test func layoutAndRoundTrip() throws {
        let record = try TermRecord(term: 0x0102_0304_0506_0708, node: "node-b")
        let bytes = record.encoded()
        #expect(bytes == [0xFF, 0x01, 8, 7, 6, 5, 4, 3, 2, 1, 6, 0] + Array("node-b".utf8))
        #expect(try TermRecord(decoding: bytes) == record)
        #expect(TermRecord.isControlRecord(bytes))
    }

    @Test func applicationRecordsAreNotControlRecords() throws {
        // The engine's records start with their format version, 1.
        #expect(try TermRecord(decoding: [1, 2, 3]) == nil)
        #expect(try TermRecord(decoding: []) == nil)
        #expect(try TermRecord(decoding: [0xFE, 0x01]) == nil)
        #expect(!TermRecord.isControlRecord([1]))
        #expect(!TermRecord.isControlRecord([]))
    }

    @Test func malformedControlRecordsThrow() throws {
        let good = try TermRecord(term: 3, node: "n").encoded()
        #expect(throws: ReplicationProtocolError.malformedControlRecord("no kind byte")) { try TermRecord(decoding: [0xFF]) }
        #expect(throws: ReplicationProtocolError.unknownControlRecord(kind: 2)) { try TermRecord(decoding: [0xFF, 2]) }
        for cut in 2..<good.count {
            #expect(throws: ReplicationProtocolError.malformedControlRecord("term record is truncated")) {
                try TermRecord(decoding: Array(good[0..<cut]))
            }
        }
        #expect(throws: ReplicationProtocolError.malformedControlRecord("term record has 1 unexpected trailing bytes")) {
            try TermRecord(decoding: good + [0])
        }
        let badUTF8: [UInt8] = [0xFF, 1] + le64(3) + le16(1) + [0xFF]
        #expect(throws: ReplicationProtocolError.malformedControlRecord("node is not valid UTF-8")) { try TermRecord(decoding: badUTF8) }
        let emptyNode: [UInt8] = [0xFF, 1] + le64(3) + le16(0)
        #expect(throws: ReplicationProtocolError.malformedControlRecord("node has 0 bytes; 1...1024 allowed")) {
            try TermRecord(decoding: emptyNode)
        }
    }

    @Test func nodeNamesAreBounded() throws {
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "node", length: 0, maximum: 1024)) {
            try TermRecord(term: 1, node: "")
        }
        #expect(throws: ReplicationProtocolError.invalidTextLength(field: "node", length: 1025, maximum: 1024)) {
            try TermRecord(term: 1, node: String(repeating: "n", count: 1025))
        }
        let longest = try TermRecord(term: 1, node: String(repeating: "n", count: 1024))
        #expect(try TermRecord(decoding: longest.encoded()) == longest)
    }
}
