import Testing
@testable import Engine

@Suite struct ClientInfoTests {
    @Test func shortUserAgentsAreKeptAsTheyAre() {
        #expect(ClientInfo(userAgent: "curl/8.5.0").userAgent == "curl/8.5.0")
        #expect(ClientInfo(userAgent: String(repeating: "a", count: 512)).userAgent?.utf8.count == 512)
        #expect(ClientInfo().userAgent == nil)
    }

    @Test func longUserAgentsAreCutTo512Bytes() {
        let cut = ClientInfo(userAgent: String(repeating: "x", count: 75_000)).userAgent
        #expect(cut == String(repeating: "x", count: 512))
    }

    @Test(arguments: [
        ("\u{E9}", 2),          // é: 2 bytes, the cut falls inside the 257th
        ("\u{20AC}", 3),        // €: 3 bytes
        ("\u{1F600}", 4),       // an emoji: 4 bytes
    ])
    func theCutFallsOnAScalarBoundary(scalar: String, width: Int) throws {
        let text = "a" + String(repeating: scalar, count: 600)
        let cut = try #require(ClientInfo(userAgent: text).userAgent)
        #expect(cut.utf8.count <= ClientInfo.maximumUserAgentBytes)
        #expect(cut.utf8.count > ClientInfo.maximumUserAgentBytes - width)
        #expect(cut == "a" + String(repeating: scalar, count: (ClientInfo.maximumUserAgentBytes - 1) / width))
        #expect(!cut.unicodeScalars.contains("\u{FFFD}"))
    }

    @Test func overlongAddressesAreDropped() {
        #expect(ClientInfo(ipAddress: "2001:db8::1").ipAddress == "2001:db8::1")
        #expect(ClientInfo(ipAddress: String(repeating: "9", count: 65)).ipAddress == nil)
    }
}
