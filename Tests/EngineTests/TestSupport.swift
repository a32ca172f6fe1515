import Foundation
import Testing
@testable import Engine

/// A configuration with cheap Argon2 so tests run quickly; secrets differ per family.
func testConfiguration(shards: Int = 4) -> EngineConfiguration {
    var c = EngineConfiguration(dataDirectory: "/nonexistent",
                                accessTokenSecret: Array(repeating: 0x41, count: 32),
                                refreshTokenSecret: Array(repeating: 0x52, count: 32))
    c.shardCount = shards
    c.argon2 = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
    c.hashThreads = 2
    c.hashQueueLimit = 10_000
    return c
}

func makeEngine(_ configure: (inout EngineConfiguration) -> Void = { _ in }, clock: ManualClock = ManualClock()) -> AuthEngine {
    var c = testConfiguration()
    configure(&c)
    return AuthEngine.inMemory(c, clock: clock)
}

extension AuthEngine {
    @discardableResult
    func registerUser(_ email: String, password: String = "correct horse", name: String = "Test User") async throws(AuthError) -> UserView {
        try await register(name: .value(name), email: .value(email), password: .value(password))
    }

    func loginUser(_ email: String, password: String = "correct horse", ip: String = "127.0.0.1") async throws(AuthError) -> TokenGrant {
        try await login(email: .value(email), password: .value(password), client: ClientInfo(userAgent: "tests", ipAddress: ip))
    }

    func rotate(_ token: String) async throws(AuthError) -> TokenGrant {
        try await refresh(refreshToken: .value(token), client: ClientInfo())
    }
}

/// Runs `body` and returns the AuthError it threw, or nil if it succeeded.
func authError<T>(_ body: () async throws -> T) async -> AuthError? {
    do {
        _ = try await body()
        return nil
    } catch let error as AuthError {
        return error
    } catch {
        return .invalidPayload([FieldIssue(path: "unexpected", message: "\(error)")])
    }
}
