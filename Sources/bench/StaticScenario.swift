/// The same GET request over and over: `/health` of a target, or `/` of the
/// ceiling's hello server. No setup; the request is encoded once per connection.
struct StaticScenario: Scenario {
    let name: String
    let path: String
    var endpoints: [String] { [name] }
    var checkNames: [String] { ["\(name) status is 200"] }
    var endsByItself: Bool { false }

    func makeUser(connection: Int, encoder: RequestEncoder) -> any VirtualUser {
        StaticUser(request: encoder.get(path))
    }
}
