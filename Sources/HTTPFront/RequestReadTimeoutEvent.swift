/// Fired down the pipeline by `RequestDeadlineHandler` when a request whose head has
/// arrived did not finish arriving (its body) within `REQUEST_READ_TIMEOUT`: the HTTP
/// handler answers 408 and closes the connection.
struct RequestReadTimeoutEvent: Sendable {}
