import Testing
@testable import Engine

/// Limits count Unicode code points, as JSON Schema's minLength and maxLength do (so they are
/// what /docs.json says), which bounds bytes at 4 per code point; grapheme clusters are never
/// counted (issue 15.6: "ab" and a megabyte of accents is not 2 characters).
@Suite struct ValidationLimitTests {
    static let accent = "\u{0301}"   // COMBINING ACUTE ACCENT: 2 bytes, joins the previous cluster

    func register(name: String = "Al", email: String = "a@b.co", password: String = "password1") -> [FieldIssue] {
        do throws(AuthError) {
            _ = try Validation.registration(name: .value(name), email: .value(email), password: .value(password))
            return []
        } catch {
            guard case .invalidPayload(let issues) = error else { return [FieldIssue(path: "?", message: "\(error)")] }
            return issues
        }
    }

    @Test func aNameOfTwoClustersAndAMegabyteOfAccentsIsRefused() {
        let name = "ab" + String(repeating: Self.accent, count: 400_000)
        #expect(name.count == 2)   // what the old rule counted
        #expect(register(name: name) == [FieldIssue(path: "name", message: "Name must be at most 256 characters")])
    }

    @Test func nameLimitsInCodePointsTheMaximumAsSentTheMinimumAfterTrimming() {
        #expect(register(name: String(repeating: "n", count: 256)).isEmpty)
        #expect(register(name: "  " + String(repeating: "n", count: 252) + "\n").isEmpty)
        // The schema's maxLength counts what is sent, spaces included (schemathesis found the gap).
        #expect(register(name: "  " + String(repeating: "n", count: 256) + "\n").map(\.path) == ["name"])
        #expect(register(name: "\n" + String(repeating: "n", count: 256)).map(\.path) == ["name"])
        #expect(register(name: String(repeating: "n", count: 257)).map(\.path) == ["name"])
        // What JSON Schema's maxLength counts: 256 CJK characters (768 bytes) fit, 257 do not.
        #expect(register(name: String(repeating: "李", count: 256)).isEmpty)
        #expect(register(name: String(repeating: "李", count: 257)).map(\.path) == ["name"])
        #expect(register(name: String(repeating: "😀", count: 256)).isEmpty)        // 1024 bytes, the most a name has
        #expect(register(name: " é ") == [FieldIssue(path: "name", message: "Name must be at least 2 characters")])
        #expect(register(name: "李四").isEmpty)
    }

    @Test func aPasswordOfEightHeavyClustersIsRefused() {
        let heavy = String(repeating: "a" + String(repeating: Self.accent, count: 1_000), count: 8)
        #expect(heavy.count == 8)
        #expect(register(password: heavy) == [FieldIssue(path: "password", message: "Password must be at most 128 characters")])
    }

    @Test func passwordLimitsInCodePoints() {
        #expect(register(password: String(repeating: "p", count: 128)).isEmpty)
        #expect(register(password: String(repeating: "p", count: 129)).map(\.path) == ["password"])
        #expect(register(password: String(repeating: "密", count: 128)).isEmpty)    // 384 bytes
        #expect(register(password: String(repeating: "密", count: 129)).map(\.path) == ["password"])
        #expect(register(password: String(repeating: "密", count: 8)).isEmpty)      // 8 characters, 24 bytes
        #expect(register(password: "1234567") == [FieldIssue(path: "password", message: "Password must be at least 8 characters")])
    }

    @Test func loginPasswordsMayBeLongerThanNewOnesButAreStillBounded() throws {
        _ = try Validation.credentials(email: .value("a@b.co"), password: .value(String(repeating: "p", count: 1_024)))
        #expect(throws: AuthError.invalidPayload([FieldIssue(path: "password", message: "Password must be at most 1024 characters")])) {
            try Validation.credentials(email: .value("a@b.co"), password: .value(String(repeating: "p", count: 1_025)))
        }
        #expect(throws: AuthError.invalidPayload([FieldIssue(path: "password", message: "Password is required")])) {
            try Validation.credentials(email: .value("a@b.co"), password: .value(""))
        }
    }

    @Test func anEmailPastTwoHundredFiftyFourBytesIsInvalid() {
        let local = String(repeating: "a", count: 64)
        let domain = (0..<4).map { _ in String(repeating: "d", count: 60) }.joined(separator: ".")   // 243 bytes
        let fits = local.prefix(7) + "@" + domain + ".io"   // 254 bytes
        let tooLong = local.prefix(8) + "@" + domain + ".io"   // 255 bytes
        #expect(Validation.isValidEmail(String(fits)))
        #expect(!Validation.isValidEmail(String(tooLong)))
        #expect(throws: AuthError.invalidPayload([FieldIssue(path: "email", message: "Invalid email")])) {
            try Validation.credentials(email: .value(String(repeating: "a", count: 1_000_000) + "@example.com"), password: .value("pw"))
        }
        // The limit holds for the address as sent (the schema's maxLength), surrounding spaces included.
        #expect(register(email: String(fits)).isEmpty)
        #expect(register(email: " " + String(fits)).map(\.path) == ["email"])
    }
}
