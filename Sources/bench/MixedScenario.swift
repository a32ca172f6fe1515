/// A configurable mix of operations on each connection (e.g. 80% me, 15% refresh,
/// 5% login). Each connection registers and logs in its own user during setup;
/// `refresh` and `login` answers replace its tokens, `register` creates a new user.
/// A failed rotation leaves the chain unknown, so the user logs in again next,
/// reported as the extra endpoint `login(recovery)`.
struct MixedScenario: Scenario {
    let tag: String
    let mix: Mix
    var name: String { "mixed" }
    var endpoints: [String] { mix.weights.map(\.0.rawValue) + ["login(recovery)"] }
    var checkNames: [String] { mix.weights.map { "\($0.0.rawValue) status is \($0.0 == .register ? 201 : 200)" } }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        let ops = mix.weights.map(\.0)
        let seq = mix.sequence(seed: connection).map { op in ops.firstIndex(of: op)! }
        return MixedUser(tag: tag, connection: connection, operations: ops, sequence: seq, encoder: encoder)
    }
}
