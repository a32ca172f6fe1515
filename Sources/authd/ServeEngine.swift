import HTTPFront
import Logging

/// The engine as `authd serve` holds it: the service the HTTP front calls,
/// and how to flush it on shutdown.
///
/// TEMPORARY until the Engine lands on main: `open` reports that no engine
/// is built in. After the merge it calls `AuthEngine.open` with the
/// configuration mapped from `ServerConfiguration`.
struct ServeEngine: Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "this build has no engine yet" }
    }

    let service: any AuthService
    let shutdown: @Sendable () async -> Void

    static func open(_ settings: ServerConfiguration, secrets: SecretsFile.Secrets, logger: Logger) async throws -> ServeEngine {
        throw Unavailable()
    }
}
