/// A load scenario: the endpoints and checks it reports, and a factory for the
/// virtual user that drives each connection.
protocol Scenario: Sendable {
    /// Short name (`me`, `refresh`, `seed`, ...), used in reports.
    var name: String { get }
    /// Endpoint labels, indexed by `OutgoingRequest.endpoint`.
    var endpoints: [String] { get }
    /// Check names, indexed by check id.
    var checkNames: [String] { get }
    /// True when the users end the run themselves (k6-style iterations), false
    /// when the run lasts exactly `--duration` after `--warmup`.
    var endsByItself: Bool { get }
    /// Makes the user of connection number `connection` (called on its event loop).
    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser
}
