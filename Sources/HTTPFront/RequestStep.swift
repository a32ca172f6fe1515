/// What the event loop decided about a request.
public enum RequestStep: Sendable {
    /// Answer now, on the event loop (errors, health, docs, readiness).
    case respond(HTTPResponse)
    /// Hop to a task and call the engine.
    case call(EngineCall)
}
