import Testing
@testable import bench

/// Open-loop due times come from the rate and the request's index only.
@Suite struct OpenLoopScheduleTests {
    let schedule = OpenLoopSchedule(start: 1_000_000_000, rate: 1000, connections: 4)

    @Test func dueTimesAreEvenlySpacedOverAllConnections() {
        // Global request g = connection + index * connections is due at start + g ms.
        #expect(schedule.dueTime(connection: 0, index: 0) == 1_000_000_000)
        #expect(schedule.dueTime(connection: 1, index: 0) == 1_001_000_000)
        #expect(schedule.dueTime(connection: 3, index: 0) == 1_003_000_000)
        #expect(schedule.dueTime(connection: 0, index: 1) == 1_004_000_000)
        #expect(schedule.dueTime(connection: 2, index: 10) == 1_042_000_000)
        #expect(schedule.perConnectionInterval == 4_000_000)
    }

    /// Every slot of the run is used exactly once across connections.
    @Test func slotsCoverTheRunWithoutGapsOrDuplicates() {
        var times: [UInt64] = []
        for c in 0..<4 { for k in 0..<25 { times.append(schedule.dueTime(connection: c, index: k)) } }
        let sorted = times.sorted()
        #expect(Set(times).count == 100)
        for i in 1..<sorted.count { #expect(sorted[i] - sorted[i - 1] == 1_000_000) }
    }

    /// A late answer does not move later due times: the schedule has no notion of
    /// completion, so the k-th due time is the same whatever happened before.
    @Test func dueTimeIgnoresWhenPreviousAnswersArrived() {
        let a = schedule.dueTime(connection: 1, index: 7)
        let other = OpenLoopSchedule(start: 1_000_000_000, rate: 1000, connections: 4)
        #expect(a == other.dueTime(connection: 1, index: 7))
        #expect(a == 1_000_000_000 + (1 + 7 * 4) * 1_000_000)
    }

    @Test func dueCountCountsSlotsBeforeADeadline() {
        // Connection 1 slots: 1, 5, 9, 13 ms ... ; before 10 ms: 1, 5, 9 -> 3.
        #expect(schedule.dueCount(connection: 1, from: 0, before: 1_010_000_000) == 3)
        #expect(schedule.dueCount(connection: 1, from: 2, before: 1_010_000_000) == 1)
        #expect(schedule.dueCount(connection: 1, from: 3, before: 1_010_000_000) == 0)
        #expect(schedule.dueCount(connection: 0, from: 0, before: 1_000_000_000) == 0)
        #expect(schedule.dueCount(connection: 0, from: 0, before: 1_000_000_001) == 1)
        #expect(schedule.dueCount(connection: 3, from: 0, before: 999) == 0)
    }

    @Test func fractionalRatesRoundToNanoseconds() {
        let s = OpenLoopSchedule(start: 0, rate: 3, connections: 1)
        #expect(s.dueTime(connection: 0, index: 1) == 333_333_333)
        #expect(s.dueTime(connection: 0, index: 3) == 1_000_000_000)
    }
}
