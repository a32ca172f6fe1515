import Engine
import Foundation
import NIOCore
import Testing
@testable import HTTPFront

@Suite struct APIErrorTests {
    static let engineErrors: [(AuthError, Int, String)] = [
        (.invalidPayload([FieldIssue(path: "email", message: "email must be a valid email")]), 400, "INVALID_PAYLOAD"),
        (.userAlreadyExists, 409, "USER_ALREADY_EXISTS"),
        (.invalidCredentials, 401, "INVALID_CREDENTIALS"),
        (.invalidToken, 401, "INVALID_TOKEN"),
        (.sessionNotActive, 401, "SESSION_NOT_ACTIVE"),
        (.invalidRefreshToken, 401, "INVALID_REFRESH_TOKEN"),
        (.refreshTokenReused, 401, "REFRESH_TOKEN_REUSED"),
        (.sessionCompromised, 401, "SESSION_COMPROMISED"),
        (.sessionRevoked, 401, "SESSION_REVOKED"),
        (.refreshTokenExpired, 401, "REFRESH_TOKEN_EXPIRED"),
        (.sessionNotFound, 404, "SESSION_NOT_FOUND"),
        (.rateLimited(retryAfterSeconds: 5), 429, "TOO_MANY_REQUESTS"),
        (.overloaded(retryAfterSeconds: 1), 503, "SERVICE_UNAVAILABLE"),
        (.storageUnavailable, 503, "SERVICE_UNAVAILABLE"),
    ]

    @Test(arguments: engineErrors.indices)
    func everyEngineErrorMapsToItsStatusAndCode(index: Int) throws {
        let (error, status, code) = Self.engineErrors[index]
        let mapped = APIError(error)
        #expect(Int(mapped.status.code) == status)
        #expect(mapped.code == code)
        let envelope = try decode(HTTPResponse.error(mapped, correlationID: "cid-1", allocator: ByteBufferAllocator()))
        #expect(envelope["code"] as? String == code)
        #expect(envelope["correlationId"] as? String == "cid-1")
        #expect((envelope["details"] != nil) == (code == "INVALID_PAYLOAD"))
    }

    @Test func retryAfterHeaderOnLimitsAndOverload() {
        let limited = HTTPResponse.error(APIError(.rateLimited(retryAfterSeconds: 7)), correlationID: "c", allocator: ByteBufferAllocator())
        #expect(limited.headers.first(name: "Retry-After") == "7")
        let overloaded = HTTPResponse.error(APIError(.overloaded(retryAfterSeconds: 0)), correlationID: "c", allocator: ByteBufferAllocator())
        #expect(overloaded.headers.first(name: "Retry-After") == "1")
        let notAllowed = HTTPResponse.error(.methodNotAllowed(allow: "GET, HEAD"), correlationID: "c", allocator: ByteBufferAllocator())
        #expect(notAllowed.headers.first(name: "Allow") == "GET, HEAD")
    }

    @Test func detailsShape() throws {
        let error = APIError(.invalidPayload([FieldIssue(path: "name", message: "too \"short\""), FieldIssue(path: "email", message: "bad")]))
        let envelope = try decode(HTTPResponse.error(error, correlationID: "c", allocator: ByteBufferAllocator()))
        let details = try #require(envelope["details"] as? [[String: String]])
        #expect(details == [["path": "name", "message": "too \"short\""], ["path": "email", "message": "bad"]])
    }

    struct Boom: Error { let secret = "db password in here" }

    @Test func unknownErrorsBecomeOpaque500() throws {
        let mapped = APIError.from(Boom())
        #expect(mapped == .internalError)
        let response = HTTPResponse.error(mapped, correlationID: "c", allocator: ByteBufferAllocator())
        #expect(response.status == .internalServerError)
        let text = String(buffer: response.body!)
        #expect(text == #"{"error":{"code":"INTERNAL_SERVER_ERROR","message":"internal server error","correlationId":"c"}}"#)
        #expect(APIError.from(AuthError.sessionNotFound).code == "SESSION_NOT_FOUND")
        #expect(APIError.from(JSONParseError.notAnObject).code == "INVALID_PAYLOAD")
        #expect(APIError.from(APIError.notFound) == .notFound)
    }

    func decode(_ response: HTTPResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body!.readableBytesView)) as? [String: Any]
        #expect(object?.keys.sorted() == ["error"])
        return try #require(object?["error"] as? [String: Any])
    }
}
