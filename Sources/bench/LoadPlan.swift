/// The shape of one load run: how many connections on how many threads, for how
/// long, closed loop or at a constant rate.
struct LoadPlan: Sendable, Codable, Equatable {
    var connections: Int
    var threads: Int
    /// Measured time in seconds (after warmup).
    var duration: Double
    /// Unmeasured time in seconds before the window.
    var warmup: Double
    /// Aggregate requests per second (open loop); nil for closed loop.
    var rate: Double?
    /// Seconds without an answer before a request counts as a timeout.
    var timeout: Double
    /// Seconds allowed for the setup phase (register/login of every connection).
    var setupTimeout: Double = 120
    /// How the client parses answers.
    var codec: ClientCodec = .raw

    /// Checks the values a user can get wrong.
    func validate() throws(BenchError) {
        guard connections >= 1 else { throw .invalidArgument("--connections must be at least 1") }
        guard threads >= 1 else { throw .invalidArgument("--threads must be at least 1") }
        guard duration > 0 else { throw .invalidArgument("--duration must be positive") }
        guard warmup >= 0 else { throw .invalidArgument("--warmup must not be negative") }
        guard timeout > 0 else { throw .invalidArgument("--timeout must be positive") }
        if let rate, !(rate > 0) { throw .invalidArgument("--rate must be positive") }
    }
}
