import Foundation

/// An answer plus what the access log should say about whom it served.
public struct RequestOutcome: Sendable {
    /// The answer.
    public var response: HTTPResponse
    /// The user it concerned, when known.
    public var userID: UUID?
    /// The session it concerned, when known.
    public var sessionID: UUID?

    /// Creates an outcome.
    public init(response: HTTPResponse, userID: UUID? = nil, sessionID: UUID? = nil) {
        self.response = response
        self.userID = userID
        self.sessionID = sessionID
    }
}
