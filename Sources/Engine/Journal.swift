import WAL

/// Where shards hand their records to become durable: the write-ahead log, or nothing for
/// an engine that lives only in memory (tests, `bench` peers).
final class Journal: Sendable {
    let log: WriteAheadLog?

    init(log: WriteAheadLog?) {
        self.log = log
    }

    /// Appends the records of one mutation as an atomic group; returns the last LSN (0 without a log).
    func append(_ records: [EngineRecord]) -> UInt64 {
        guard let log else { return 0 }
        if records.count == 1 { return log.append(records[0].encoded()) }
        return log.append(contentsOf: records.map { $0.encoded() })
    }

    /// Returns once `lsn` is durable; `.storageUnavailable` if the WAL failed to write it.
    func waitUntilDurable(_ lsn: UInt64) async throws(AuthError) {
        guard let log, lsn > 0 else { return }
        do {
            try await log.waitUntilDurable(lsn)
        } catch {
            throw .storageUnavailable
        }
    }

    /// Calls `completion` once `lsn` is durable (on the WAL writer thread, or right away).
    func whenDurable(_ lsn: UInt64, _ completion: @escaping @Sendable (Result<Void, AuthError>) -> Void) {
        guard let log, lsn > 0 else { completion(.success(())); return }
        log.whenDurable(lsn) { result in completion(result.mapError { _ in .storageUnavailable }) }
    }

    /// Whether writes can currently become durable.
    var isWritable: Bool { log?.isWritable ?? true }
}
