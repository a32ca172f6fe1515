/// One event loop's `AccessCache`, reachable from any thread but used only on that loop.
///
/// The cache itself is a plain class; this slot is what lets the engine hold one per loop in a
/// `Sendable` type. Every use goes through `withCache`, which is called only when `placement`
/// is the current executor, either directly or from a closure `placement.run` runs.
final class AccessCacheSlot: @unchecked Sendable {
    // Safety: `cache` is touched only on `placement`'s executor (checked on every access).
    let placement: ShardExecutor
    private let cache: AccessCache

    init(placement: ShardExecutor, capacity: Int) {
        self.placement = placement
        cache = AccessCache(capacity: capacity)
    }

    /// Runs `body` with the cache; must be called on `placement`'s executor.
    func withCache<T>(_ body: (AccessCache) -> T) -> T {
        precondition(placement.isCurrent(), "an access cache used off its event loop")
        return body(cache)
    }
}
