import Engine
import Foundation
import Testing
@testable import HTTPFront

@Suite struct OpenAPIDocumentTests {
    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    @Test func routesMatchTheRouter() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.keys { documented.insert(method.uppercased() + " " + path) }
        }
        let served = Set(Route.allCases.map { $0.method.rawValue + " " + $0.openAPIPath })
        #expect(documented == served)
    }

    @Test func operationsDescribeBodiesSecurityAndErrors() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: [String: Any]]])
        for route in Route.allCases {
            let operation = try #require(paths[route.openAPIPath]?[route.method.rawValue.lowercased()])
            #expect((operation["requestBody"] != nil) == route.takesJSONBody, "\(route)")
            let security = operation["security"] as? [[String: Any]]
            #expect((security?.contains { $0["bearerAuth"] != nil } ?? false) == route.requiresAccessToken, "\(route)")
            let responses = try #require(operation["responses"] as? [String: Any])
            if route.takesJSONBody {
                for status in ["400", "413", "415", "429", "500"] { #expect(responses[status] != nil, "\(route) \(status)") }
            }
            if route.requiresAccessToken { #expect(responses["401"] != nil, "\(route)") }
            if route.isRateLimited { #expect(responses["429"] != nil, "\(route)") }
            // Any route may meet the read deadline and the connection cap.
            for status in ["408", "503"] { #expect(responses[status] != nil, "\(route) \(status)") }
        }
    }

    @Test func everyAuthAnswerDeclaresItsNoStoreHeaders() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: [String: Any]]])
        for route in Route.allCases {
            let operation = try #require(paths[route.openAPIPath]?[route.method.rawValue.lowercased()])
            let responses = try #require(operation["responses"] as? [String: [String: Any]])
            for (status, response) in responses {
                let headers = response["headers"] as? [String: Any] ?? [:]
                let declared = headers["Cache-Control"] != nil && headers["Pragma"] != nil
                #expect(declared == route.answersMustNotBeCached, "\(route) \(status)")
            }
        }
    }

    @Test func everyErrorCodeTheServerCanAnswerIsInTheEnvelopeSchema() throws {
        let schemas = try #require((try document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let envelope = try #require(schemas["ErrorResponse"] as? [String: Any])
        let error = try #require((envelope["properties"] as? [String: Any])?["error"] as? [String: Any])
        let code = try #require((error["properties"] as? [String: Any])?["code"] as? [String: Any])
        let codes = Set(try #require(code["enum"] as? [String]))
        var served = Set(APIErrorTests.engineErrors.map { $0.2 })
        for error in [APIError.notFound, .methodNotAllowed(allow: ""), .payloadTooLarge(limit: 1), .unsupportedMediaType,
                      .authorizationRequired, .invalidAuthorizationHeader, .invalidToken, .tooManyRequests(retryAfterSeconds: 1),
                      .internalError, .notReady, .invalidJSON(.notAnObject), .requestTimeout, .tooManyConnections] {
            served.insert(error.code)
        }
        #expect(served.isSubset(of: codes), "\(served.subtracting(codes))")
    }

    /// Issue 15.6: the document states the server's limits, the maximums in bytes.
    @Test func lengthLimitsAreTheValidationRulesStatedInBytes() throws {
        let schemas = try #require((try document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func property(_ schema: String, _ name: String) throws -> [String: Any] {
            let object = try #require(schemas[schema] as? [String: Any])
            return try #require((object["properties"] as? [String: Any])?[name] as? [String: Any])
        }
        let name = try property("RegisterInput", "name")
        #expect(name["minLength"] as? Int == Validation.nameMinimumCharacters)
        #expect(name["maxLength"] as? Int == Validation.nameMaximumCharacters)
        #expect((name["description"] as? String)?.contains("\(Validation.nameMaximumCharacters) characters") == true)
        let password = try property("RegisterInput", "password")
        #expect(password["minLength"] as? Int == Validation.passwordMinimumCharacters)
        #expect(password["maxLength"] as? Int == Validation.passwordMaximumCharacters)
        #expect((password["description"] as? String)?.contains("\(Validation.passwordMaximumCharacters) characters") == true)
        let loginPassword = try property("CreateSessionInput", "password")
        #expect(loginPassword["minLength"] as? Int == 1)
        #expect(loginPassword["maxLength"] as? Int == Validation.loginPasswordMaximumCharacters)
        #expect((loginPassword["description"] as? String)?.contains("\(Validation.loginPasswordMaximumCharacters) characters") == true)
        for schema in ["RegisterInput", "CreateSessionInput"] {
            #expect(try property(schema, "email")["maxLength"] as? Int == Validation.emailMaximumBytes)
        }
    }

    @Test func docsPageEmbedsTheDocumentSafely() {
        #expect(DocsPage.html.contains("\"openapi\": \"3.1.0\""))
        let embedded = DocsPage.html.components(separatedBy: "id=\"openapi\">")[1].components(separatedBy: "</script>")[0]
        #expect(!embedded.contains("</"))
    }
}
