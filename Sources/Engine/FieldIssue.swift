/// One invalid field of a request: where (`path`, the JSON member name) and why.
public struct FieldIssue: Sendable, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}
