import Foundation
import Testing
@testable import bench

/// `--spawn` life cycle against a stand-in for `authd serve`: a script that takes
/// the same arguments and serves `/ready` with Python's static file server.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct SpawnTests {
    /// Writes the stand-in into a fresh directory; returns the script path.
    func makeStandIn(exitAtOnce: Bool = false) throws -> (script: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-spawn-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("www"), withIntermediateDirectories: true)
        try Data("ok".utf8).write(to: dir.appendingPathComponent("www/ready"))
        let script = dir.appendingPathComponent("authd")
        let body = exitAtOnce ? "echo 'cannot start: bad flag' >&2; exit 3" : """
            port=""; data=""
            while [ $# -gt 0 ]; do case "$1" in --port) port="$2"; shift 2;; --data-dir) data="$2"; shift 2;; *) shift;; esac; done
            [ "$1" = "" ] && [ -d "$data" ] || exit 4
            exec /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "\(dir.path)/www"
            """
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return (script.path, dir)
    }

    @Test func startsWaitsForReadyAndCleansUp() async throws {
        let (script, dir) = try makeStandIn()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await AuthdProcess.start(binary: script, fsync: "none", shards: 2, extraArguments: ["--x"], readyTimeout: 10)
        #expect(server.process.isRunning)
        #expect(server.process.arguments?.starts(with: ["serve", "--port", String(server.port)]) == true)
        #expect(server.process.arguments?.contains("--wal-fsync") == true)
        let status = await Task.detached { HTTPProbe.status(host: "127.0.0.1", port: server.port, path: "/ready") }.value
        #expect(status == 200)
        let dataDir = server.dataDirectory.path
        #expect(FileManager.default.fileExists(atPath: dataDir))
        await server.stop(grace: 5)
        #expect(!server.process.isRunning)
        #expect(!FileManager.default.fileExists(atPath: dataDir))
    }

    @Test func reportsAServerThatExits() async throws {
        let (script, dir) = try makeStandIn(exitAtOnce: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect(throws: BenchError.self) {
            _ = try await AuthdProcess.start(binary: script, fsync: "always", shards: nil, extraArguments: [], readyTimeout: 60)
        }
    }

    @Test func missingBinaryIsAnError() {
        #expect(throws: BenchError.self) { try AuthdProcess.locateBinary("/nonexistent/authd") }
    }

    @Test func aCeilingProcessThatExitsIsReported() async throws {
        let (script, dir) = try makeStandIn(exitAtOnce: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try await CeilingProcess.start(binary: script, threads: 1, readyTimeout: 60)
            Issue.record("a ceiling server that exits was taken as started")
        } catch {
            guard case .spawnFailed(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("exited with status"))
        }
    }

    @Test func aMissingCeilingBinaryIsReported() async {
        await #expect(throws: BenchError.self) {
            _ = try await CeilingProcess.start(binary: "/nonexistent/bench", threads: 1, readyTimeout: 1)
        }
    }

    @Test func aCeilingProcessIsStartedWithItsPortAndStoppedByItsPID() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ceiling-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("bench")
        let body = """
            [ "$1 $2 $3" = "ceiling --serve-only --port" ] || exit 5
            exec /usr/bin/python3 -m http.server "$4" --bind 127.0.0.1 --directory "\(dir.path)"
            """
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let server = try await CeilingProcess.start(binary: script.path, threads: 2, readyTimeout: 10)
        #expect(server.process.isRunning)
        #expect(server.process.arguments == ["ceiling", "--serve-only", "--port", String(server.port), "--server-threads", "2"])
        await server.stop()
        #expect(!server.process.isRunning)
    }
}
