import Engine

/// The engine is the service the HTTP front calls in production.
extension AuthEngine: AuthService {}
