/// A test account: deterministic from a per-run tag and indices, so every run
/// registers fresh, unique emails and a user can be recreated from its index.
struct Identity: Sendable, Equatable {
    var name: String
    var email: String
    var password: String

    /// The account number `index` of connection `connection` in run `tag`.
    static func make(tag: String, connection: Int, index: Int) -> Identity {
        Identity(
            name: "Bench User \(connection)",
            email: "b\(tag)-\(connection)-\(index)@bench.example.com",
            password: "bench-Passw0rd-\(tag)"
        )
    }

    /// A short random tag (hex) so that repeated runs against one server never collide.
    static func randomTag() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }
}
