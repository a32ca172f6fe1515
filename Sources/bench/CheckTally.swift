/// Pass/fail counts of named checks, like k6's `check()` (e.g. "refresh status is 200").
///
/// Checks are declared up front by the scenario and addressed by index, so
/// recording one in the load loop is an array increment, not a dictionary lookup.
struct CheckTally: Sendable, Equatable {
    /// Check names, indexed by check id.
    let names: [String]
    private(set) var passes: [Int]
    private(set) var fails: [Int]

    init(names: [String]) {
        self.names = names
        passes = Array(repeating: 0, count: names.count)
        fails = Array(repeating: 0, count: names.count)
    }

    /// Records one evaluation of check `id`.
    mutating func record(_ id: Int, _ passed: Bool) {
        if passed { passes[id] += 1 } else { fails[id] += 1 }
    }

    /// Adds the counts of `other` (same names) to this tally.
    mutating func merge(_ other: CheckTally) {
        precondition(other.names == names, "merging tallies of different scenarios")
        for i in names.indices {
            passes[i] += other.passes[i]
            fails[i] += other.fails[i]
        }
    }

    var totalPasses: Int { passes.reduce(0, +) }
    var totalFails: Int { fails.reduce(0, +) }

    /// Fraction of all check evaluations that passed (1 when there were none).
    var passRate: Double {
        let total = totalPasses + totalFails
        return total == 0 ? 1 : Double(totalPasses) / Double(total)
    }

    /// Pass rate of one check (1 when it was never evaluated).
    func passRate(_ id: Int) -> Double {
        let total = passes[id] + fails[id]
        return total == 0 ? 1 : Double(passes[id]) / Double(total)
    }
}
