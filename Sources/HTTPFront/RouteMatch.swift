/// What the router made of a method and a path.
public enum RouteMatch: Sendable, Equatable {
    /// A route; `sessionID` is the raw `:sessionId` segment where the route has one.
    case route(Route, sessionID: Substring?)
    /// The path exists, the method does not; `allow` is the `Allow` header value.
    case methodNotAllowed(allow: String)
    /// No route has this path.
    case notFound
}
