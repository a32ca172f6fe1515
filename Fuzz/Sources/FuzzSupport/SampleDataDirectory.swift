import Engine
import Foundation
import WAL

/// A real data directory written by a durable engine, for seed corpora: every record kind the
/// engine logs (users, sessions opened, rotated, revoked, compromised, purged, signing keys),
/// its WAL segment and a snapshot of it.
public struct SampleDataDirectory {
    /// The directory (under the system's temporary directory; the caller removes it).
    public let path: String
    /// The path of the snapshot taken after the operations.
    public let snapshotPath: String

    /// Runs the operations on a fresh engine in a new temporary directory.
    public static func make() -> SampleDataDirectory {
        let path = NSTemporaryDirectory() + "authd-fuzz-seed-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        var configuration = FuzzEngineSettings.configuration(directory: path)
        configuration.accessTokenAlgorithm = .edDSA
        configuration.sessionRetentionMilliseconds = 0
        let settings = configuration
        let snapshot = Blocking.run { () -> String in
            do {
                let engine = try await AuthEngine.open(settings, clock: ManualClock(FuzzEngineSettings.start))
                let password = FieldInput.value("seed password 1")
                for index in 0..<3 {
                    let email = FieldInput.value("seed\(index)@example.com")
                    _ = try await engine.register(name: .value("Seed \(index)"), email: email, password: password)
                    let first = try await engine.login(email: email, password: password, client: ClientInfo(userAgent: "seed", ipAddress: "127.0.0.1"))
                    let second = try await engine.refresh(refreshToken: .value(first.refreshToken), client: ClientInfo())
                    if index == 1 { _ = try? await engine.refresh(refreshToken: .value(first.refreshToken), client: ClientInfo()) }
                    if index == 2 { try await engine.revokeCurrentSession(refreshToken: .value(second.refreshToken)) }
                }
                _ = try await engine.rotateSigningKey()
                let path = try await engine.snapshot()
                await engine.shutdown()
                return path
            } catch {
                fatalError("sample data directory: \(error)")
            }
        }
        return SampleDataDirectory(path: path, snapshotPath: snapshot)
    }

    /// The bytes of each WAL segment file, by file name.
    public func segments() -> [(name: String, bytes: [UInt8])] {
        let directory = path + "/wal"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { (name, [UInt8]($0)) }
        }
    }

    /// Every engine record in the WAL, in LSN order (control records left out).
    public func records() -> [[UInt8]] {
        var records: [[UInt8]] = []
        _ = try? WALReader(directory: path).forEachFrame(after: 0) { _, batch in
            records += batch.map(\.bytes).filter { $0.first != WALRecord.controlMarker }
        }
        return records
    }

    /// Deletes the directory.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
