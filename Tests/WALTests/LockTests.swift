import Testing
import WAL

@Suite struct LockTests {
    @Test func secondOpenerGetsLocked() async throws {
        let dir = TestDirectory()
        defer { dir.remove() }
        let log = try WriteAheadLog(configuration: dir.configuration())
        #expect(throws: WALError.locked(path: dir.path + "/LOCK")) {
            _ = try WriteAheadLog(configuration: dir.configuration())
        }
        #expect(throws: WALError.locked(path: dir.path + "/LOCK")) {
            _ = try WALRepair.repair(directory: dir.path)
        }
        // Read-only tools need no lock.
        #expect(try WALVerifier.verify(directory: dir.path).isHealthy)
        await log.close()
        let again = try WriteAheadLog(configuration: dir.configuration())
        await again.close()
    }
}
