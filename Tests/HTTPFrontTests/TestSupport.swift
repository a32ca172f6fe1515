@testable import Engine
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
@testable import HTTPFront

/// A parsed HTTP/1.1 answer.
struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an error envelope.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
}

enum TestClientError: Error { case closedBeforeResponse, malformedResponse(String) }

/// Raw bytes in, parsed answers out: lets tests send exactly what they mean
/// (oversized Content-Length, bad JSON, pipelined requests).
final class RawConnection: Sendable {
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state: LockedBox
        init(state: LockedBox) { self.state = state }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.append(Array(buffer.readableBytesView))
        }
        func channelInactive(context: ChannelHandlerContext) {
            state.close()
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    final class LockedBox: @unchecked Sendable {
        let lock = NSLock()
        var bytes: [UInt8] = []
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        func append(_ new: [UInt8]) {
            lock.lock(); bytes += new; let w = waiters; waiters = []; lock.unlock()
            w.forEach { $0.resume() }
        }
        func close() {
            lock.lock(); closed = true; let w = waiters; waiters = []; lock.unlock()
            w.forEach { $0.resume() }
        }
        func wait(seenCount: Int) async {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock()
                if bytes.count != seenCount || closed { lock.unlock(); c.resume(); return }
                waiters.append(c); lock.unlock()
            }
        }
        func snapshot() -> ([UInt8], Bool) { lock.lock(); defer { lock.unlock() }; return (bytes, closed) }
        func consume(_ count: Int) { lock.lock(); bytes.removeFirst(count); lock.unlock() }
    }

    let channel: any Channel
    let box: LockedBox

    private init(channel: any Channel, box: LockedBox) {
        self.channel = channel
        self.box = box
    }

    static func connect(port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RawConnection {
        let box = LockedBox()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(state: box)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, box: box)
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Reads one answer (Content-Length framed; `toHEAD`: an answer to HEAD, which has no body whatever its length says).
    func readResponse(toHEAD: Bool = false) async throws -> TestResponse {
        while true {
            let (bytes, closed) = box.snapshot()
            if let (response, used) = try Self.parse(bytes, bodyless: toHEAD) {
                box.consume(used)
                return response
            }
            if closed { throw TestClientError.closedBeforeResponse }
            await box.wait(seenCount: bytes.count)
        }
    }

    /// Whether the server closed the connection (waits for it, bounded by the caller's test timeout).
    func waitForClose() async -> Bool {
        while true {
            let (bytes, closed) = box.snapshot()
            if closed { return true }
            await box.wait(seenCount: bytes.count)
        }
    }

    func close() async {
        try? await channel.close()
    }

    static func parse(_ bytes: [UInt8], bodyless: Bool = false) throws -> (TestResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let headText = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw TestClientError.malformedResponse(statusLine) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = bodyless ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (TestResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])), bodyStart + length)
    }
}

/// Builds a request's bytes.
func rawRequest(
    _ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil, contentType: String? = "application/json"
) -> String {
    var text = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    if let body {
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n"
    }
    text += "\r\n"
    if let body { text += body }
    return text
}

/// Log lines captured in memory.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var output: LogOutput {
        LogOutput { bytes in
            self.lock.lock()
            self.lines.append(String(decoding: bytes, as: UTF8.self))
            self.lock.unlock()
        }
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }

    var text: String { all.joined() }

    func logger(level: Logger.Level = .trace) -> Logger {
        let output = self.output
        var logger = Logger(label: "authd.test") { label in JSONLogHandler(label: label, level: level, output: output) }
        logger.logLevel = level
        return logger
    }
}

/// A running server on 127.0.0.1 with an ephemeral port.
struct TestServer {
    let server: HTTPServer
    let port: Int
    let log: CapturedLog

    static func start(
        service: any AuthService, configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.metricsEnabled = true
        configure(&configuration)
        let log = CapturedLog()
        let server = HTTPServer(
            configuration: configuration, service: service, metrics: configuration.metricsEnabled ? ServerMetrics() : nil,
            logger: log.logger(), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let address = try await server.start()
        return TestServer(server: server, port: address.port!, log: log)
    }

    /// One request on a fresh connection.
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil,
        contentType: String? = "application/json"
    ) async throws -> TestResponse {
        let connection = try await RawConnection.connect(port: port)
        defer { Task { await connection.close() } }
        try await connection.send(rawRequest(method, path, headers: headers, body: body, contentType: contentType))
        return try await connection.readResponse()
    }

    func stop() async {
        await server.shutdown()
    }
}

extension EmbeddedChannel {
    /// Ends a test's channel for good: runs the timers still due on its loop (a connection
    /// closed after a 413 lingers 5 s, which an embedded loop never reaches by itself), closes
    /// what is still open and drops the pipeline, so nothing outlives the test (LeakSanitizer).
    func release() {
        embeddedEventLoop.advanceTime(by: .seconds(3600))
        _ = try? finish(acceptAlreadyClosed: true)
        embeddedEventLoop.run()
    }
}
