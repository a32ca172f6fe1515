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
        // Ends on graceful shutdown (SIGTERM/SIGINT; throws on plain cancellation, which ends the
        // same way) or, with automatic failover, when the node must restart its roles.
        let cluster = self.cluster
        let restart: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            if let cluster {
                group.addTask {
                    for await reason in cluster.restarts { return reason }
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        logger.notice(restart == nil ? "shutting down: draining connections" : "restarting: draining connections")
        await server.shutdown()
        await cluster?.shutdown()
        await engine.shutdown()
        logger.notice("engine flushed")
        if let restart { cluster?.restartReason.withLock { $0 = restart } }
    }
}
