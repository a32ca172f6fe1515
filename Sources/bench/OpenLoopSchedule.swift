/// When each request of an open-loop (constant arrival rate) run is meant to be sent.
///
/// The aggregate rate `rate` is spread over `connections`: request number
/// `g = connection + k * connections` of the run is due at `start + g / rate`, so
/// the whole run is evenly spaced and each connection sends every
/// `connections / rate` seconds. Due times depend only on the rate and the
/// request's index, never on when the previous answer arrived. Latency is then
/// measured from the due time, so a stalled server shows up as latency (instead of
/// silently lowering the send rate: coordinated omission).
struct OpenLoopSchedule: Sendable, Equatable {
    /// Monotonic time (ns) at which request 0 is due.
    let start: UInt64
    /// Aggregate requests per second over all connections.
    let rate: Double
    /// Number of connections sharing the rate.
    let connections: Int

    /// Nanoseconds between two sends on one connection.
    var perConnectionInterval: Double { Double(connections) * 1e9 / rate }

    /// Due time (ns) of the `index`-th request of connection `connection`.
    func dueTime(connection: Int, index: Int) -> UInt64 {
        let g = Double(connection) + Double(index) * Double(connections)
        return start &+ UInt64((g * 1e9 / rate).rounded())
    }

    /// How many requests of `connection`, starting at `index`, are due before `deadline`.
    func dueCount(connection: Int, from index: Int, before deadline: UInt64) -> Int {
        guard deadline > start else { return 0 }
        let span = Double(deadline - start) * rate / 1e9 // global slots before deadline
        // Slots g < span with g ≡ connection (mod connections) and k >= index.
        let lastK = Int(((span - Double(connection)) / Double(connections)).rounded(.up)) - 1
        return Swift.max(0, lastK - index + 1)
    }
}
