import Engine
import Foundation
import Synchronization

/// The engine as `authd serve` drives it: one shard on an executor this benchmark owns, and
/// `me` / `refresh` called through the completion API *on* that executor, so what is timed
/// is the engine's own work with no thread hop (the HTTP server gets the same by placing
/// shards on its event loops).
public final class OnShardPath: Sendable {
    let engine: AuthEngine
    let executor: ShardExecutor
    let accessToken: String
    private let refreshToken: Mutex<String>

    public init() async throws {
        executor = ShardExecutor.queue(label: "bench.shard")
        var configuration = Fixtures.configuration()
        configuration.shardCount = 1
        engine = AuthEngine.inMemory(configuration, executors: [executor])
        let grant = try await Fixtures.registerAndLogin(engine, 0, tag: "onshard")
        accessToken = grant.accessToken
        refreshToken = Mutex(grant.refreshToken)
    }

    /// Runs `count` `me` calls on the shard's executor; returns how many succeeded.
    public func me(_ count: Int) async -> Int {
        await onShard {
            let ok = Mutex(0)
            for _ in 0..<count {
                self.engine.me(accessToken: self.accessToken) { if case .success = $0 { ok.withLock { $0 += 1 } } }
            }
            return ok.withLock { $0 }
        }
    }

    /// Rotates one chain `count` times on the shard's executor (the in-memory journal
    /// completes at once, so each rotation's answer is there before the next one starts).
    public func refresh(_ count: Int) async -> Int {
        await onShard {
            var ok = 0
            for _ in 0..<count {
                let token = self.refreshToken.withLock { $0 }
                self.engine.refresh(refreshToken: .value(token), client: Fixtures.client) { result in
                    if case .success(let grant) = result { self.refreshToken.withLock { $0 = grant.refreshToken } }
                }
                if self.refreshToken.withLock({ $0 }) != token { ok += 1 }
            }
            return ok
        }
    }

    private func onShard(_ body: @escaping @Sendable () -> Int) async -> Int {
        await withCheckedContinuation { continuation in
            executor.run { continuation.resume(returning: body()) }
        }
    }

    public func shutdown() async { await engine.shutdown() }
}
