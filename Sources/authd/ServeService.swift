import HTTPFront
import Logging
import ServiceLifecycle

/// The running server as a swift-service-lifecycle service.
///
/// Waits for graceful shutdown (SIGTERM/SIGINT via the `ServiceGroup`), then
/// stops accepting, lets in-flight requests finish, and flushes the engine.
struct ServeService: Service {
    let server: HTTPServer
    let engine: ServeEngine
    let cluster: ClusterNode?
    let logger: Logger

    func run() async throws {
        // Returns when graceful shutdown is triggered (throws on plain cancellation; both end the same way).
        try? await gracefulShutdown()
        logger.notice("shutting down: draining connections")
        await server.shutdown()
        await cluster?.shutdown()
        await engine.shutdown()
        logger.notice("engine flushed")
    }
}
