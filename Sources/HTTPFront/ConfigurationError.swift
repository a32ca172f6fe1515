/// Every invalid setting found, reported together before the server binds.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem, each naming its variable.
    public var problems: [String]

    /// Problems found.
    public init(problems: [String]) {
        self.problems = problems
    }

    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}
