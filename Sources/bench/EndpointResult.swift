/// Throughput and latency of one endpoint of a run.
struct EndpointResult: Codable, Sendable {
    var name: String
    var requests: Int
    var requestsPerSecond: Double
    var latency: LatencySummary
}
