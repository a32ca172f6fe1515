import Engine

/// A request that passed every check the event loop can make, reduced to
/// the one engine call it needs (made on a task, off the event loop).
public struct EngineCall: Sendable {
    /// The operation and its validated-shape inputs.
    public enum Operation: Sendable {
        case register(name: FieldInput, email: FieldInput, password: FieldInput)
        case login(email: FieldInput, password: FieldInput, client: ClientInfo)
        case refresh(refreshToken: FieldInput, client: ClientInfo)
        case revokeCurrentSession(refreshToken: FieldInput)
        case me(accessToken: String)
        case listSessions(accessToken: String)
        case revokeSession(accessToken: String, sessionID: String)
        case revokeAllSessions(accessToken: String)
        case metrics
    }

    /// What to do.
    public var operation: Operation
    /// The client IP the limiter keys on.
    public var clientAddress: String?
}
