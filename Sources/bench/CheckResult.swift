/// Pass/fail counts of one named check of a run.
struct CheckResult: Codable, Sendable, Equatable {
    var name: String
    var passes: Int
    var fails: Int
    var passRate: Double
}
