import NIOHTTP1
import Testing
@testable import HTTPFront

@Suite struct RouterTests {
    let router = Router()

    @Test(arguments: Route.allCases)
    func everyRouteIsReachableByItsMethodAndPath(route: Route) {
        let path = route.pathTemplate.replacingOccurrences(of: ":sessionId", with: "abc")
        guard case .route(let matched, let parameter) = router.match(method: route.method, uri: path) else {
            Issue.record("\(route) not matched")
            return
        }
        #expect(matched == route)
        #expect((parameter != nil) == (route == .revokeSession))
    }

    @Test func sharedPathSelectsByMethod() {
        #expect(router.match(method: .POST, uri: "/v1/auth/sessions") == .route(.login, sessionID: nil))
        #expect(router.match(method: .GET, uri: "/v1/auth/sessions") == .route(.listSessions, sessionID: nil))
        #expect(router.match(method: .DELETE, uri: "/v1/auth/sessions") == .route(.revokeAllSessions, sessionID: nil))
        #expect(router.match(method: .DELETE, uri: "/v1/auth/sessions/5f0c") == .route(.revokeSession, sessionID: "5f0c"))
    }

    @Test func queryAndTrailingSlash() {
        #expect(router.match(method: .GET, uri: "/health?x=1") == .route(.health, sessionID: nil))
        #expect(router.match(method: .GET, uri: "/v1/auth/me/") == .route(.me, sessionID: nil))
        #expect(router.match(method: .HEAD, uri: "/health") == .route(.health, sessionID: nil))
    }

    @Test(arguments: ["/", "", "/v1", "/v1/auth", "/v1/auth/sessions/a/b", "/v1/auth/sessions//", "/healthz", "/HEALTH", "//health", "/v1/auth/me/x"])
    func unknownPathsAreNotFound(path: String) {
        #expect(router.match(method: .GET, uri: path) == .notFound)
    }

    @Test func wrongMethodListsAllowed() {
        #expect(router.match(method: .PUT, uri: "/v1/auth/sessions") == .methodNotAllowed(allow: "POST, GET, HEAD, DELETE"))
        #expect(router.match(method: .GET, uri: "/v1/auth/register") == .methodNotAllowed(allow: "POST"))
        #expect(router.match(method: .POST, uri: "/health") == .methodNotAllowed(allow: "GET, HEAD"))
        #expect(router.match(method: .POST, uri: "/v1/auth/sessions/abc") == .methodNotAllowed(allow: "DELETE"))
        #expect(router.match(method: .GET, uri: "/v1/auth/sessions/current/revoke") == .methodNotAllowed(allow: "POST"))
    }
}
