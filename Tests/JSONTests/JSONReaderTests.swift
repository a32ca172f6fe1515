import Testing
@testable import JSON

@Suite struct JSONReaderTests {
    @Test func readsEveryKindOfValue() throws {
        let value = try Value.read(#" { "s" : "x" , "n" : -1.5e+3 , "t" : true , "f" : false , "z" : null , "a" : [ 1 , [ ] , { } ] } "#)
        #expect(value == .object([
            ("s", .string("x")), ("n", .number("-1.5e+3")), ("t", .bool(true)), ("f", .bool(false)), ("z", .null),
            ("a", .array([.number("1"), .array([]), .object([])])),
        ]))
        for scalar in ["0", "-0", "\"\"", "true", "null", "[]", "{}", " 7 "] { #expect(refusal(scalar) == nil, "\(scalar)") }
    }

    @Test func repeatedKeysAreHandedToTheCallerBothTimes() throws {
        // Which one counts is the caller's rule (last wins for bodies, refused for JWT headers).
        #expect(try Value.read(#"{"a":"1","a":2}"#) == .object([("a", .string("1")), ("a", .number("2"))]))
    }

    @Test func skipsWhatTheCallerDoesNotWantButValidatesIt() throws {
        let text = Array(#"{"skip":{"deep":[1,{"x":"\u00e9"}]},"want":"yes"}"#.utf8)
        let found: String? = try text.withUnsafeBytes { raw throws(JSONSyntaxError) in
            var reader = JSONReader(raw)
            var found: String?
            try reader.enterObject()
            while let key = try reader.nextMemberKey() {
                if key.equals("want") { found = String(try reader.readString()) } else { try reader.skipValue() }
            }
            try reader.expectEnd()
            return found
        }
        #expect(found == "yes")
        #expect(refusal(#"{"skip":{"deep":[1,{"x":"\q"}]},"want":"yes"}"#)?.reason == .invalidEscape)
    }

    @Test func comparesStringsInPlaceDecodingEscapesOnlyWhenPresent() throws {
        let text = Array(#"["auth-api","auth\u002dapi","a\/b","\ud83d\ude00x","é"]"#.utf8)
        let results: [(Bool, Bool)] = try text.withUnsafeBytes { raw throws(JSONSyntaxError) in
            var reader = JSONReader(raw)
            var results: [(Bool, Bool)] = []
            let expected = ["auth-api", "auth-api", "a/b", "😀x", "é"]
            try reader.enterArray()
            var index = 0
            while try reader.nextElement() {
                let string = try reader.readString()
                results.append((string.equals(Array(expected[index].utf8)), string.hasEscapes))
                #expect(!string.equals(Array((expected[index] + "!").utf8)))
                #expect(String(string) == expected[index])
                index += 1
            }
            return results
        }
        #expect(results.map(\.0) == [true, true, true, true, true])
        #expect(results.map(\.1) == [false, true, true, true, false])
    }

    @Test(arguments: [
        (#""a\"b""#, "a\"b"), (#""a\\b""#, "a\\b"), (#""\/\b\f\n\r\t""#, "/\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u20AC""#, "Aé€"), (#""\ud83d\ude00""#, "😀"), (#""x\uD834\uDD1Ey""#, "x𝄞y"),
        (#""\u0000""#, "\u{0}"), ("\"héllo 日本 😀\u{7F}\"", "héllo 日本 😀\u{7F}"),
    ])
    func decodesEscapes(text: String, expected: String) throws {
        #expect(try Value.read(text) == .string(expected))
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-0", 0), ("42", 42), ("-42", -42), ("9223372036854775807", .max), ("-9223372036854775807", -.max),
    ])
    func integers(text: String, expected: Int64) throws {
        #expect(try int64(text) == .some(expected))
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775808", "1.0", "1e2", "1E+2", "-0.0", "123456789012345678901234"])
    func numbersThatAreNoInt64(text: String) throws {
        #expect(try int64(text) == .some(nil))
    }

    /// The number's `int64Value` (nil inside: a valid number that is no Int64).
    private func int64(_ text: String) throws(JSONSyntaxError) -> Int64?? {
        let result: Result<Int64?, JSONSyntaxError> = Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONSyntaxError) {
                let value = try reader.readNumber().int64Value
                try reader.expectEnd()
                return .success(value)
            } catch { return .failure(error) }
        }
        return .some(try result.get())
    }

    // MARK: Refusals, one class at a time (reason and offset)

    @Test(arguments: [
        ("", JSONSyntaxError.Reason.expectedValue, 0), (" ", .expectedValue, 1), ("{", .expectedKey, 1), ("}", .unexpectedCharacter, 0),
        (#"{"a"}"#, .expectedColon, 4), (#"{"a":}"#, .unexpectedCharacter, 5), (#"{"a":1,}"#, .expectedKey, 7), ("{,}", .expectedKey, 1),
        (#"{"a" "b"}"#, .expectedColon, 5), ("{'a':1}", .expectedKey, 1), (#"{a:1}"#, .expectedKey, 1), (#"{"a":1 "b":2}"#, .expectedCommaOrBrace, 7),
        (#"{"a":1"#, .unterminatedObject, 6), ("[1,]", .unexpectedCharacter, 3), ("[1 2]", .expectedCommaOrBracket, 3), ("[", .expectedValue, 1),
        ("[1", .unterminatedArray, 2), ("tru", .invalidLiteral, 0), ("nul", .invalidLiteral, 0), ("True", .unexpectedCharacter, 0),
        ("NaN", .unexpectedCharacter, 0), ("\u{FEFF}{}", .unexpectedCharacter, 0),
    ])
    func grammar(text: String, reason: JSONSyntaxError.Reason, offset: Int) {
        #expect(refusal(text) == JSONSyntaxError(offset: offset, reason: reason))
    }

    @Test(arguments: [
        ("{}x", 2), ("{} {}", 3), ("1 2", 2), ("[] //", 3), ("\"a\"\"b\"", 3), ("truex", 4), ("0x10", 1),
    ])
    func trailingGarbage(text: String, offset: Int) {
        #expect(refusal(text) == JSONSyntaxError(offset: offset, reason: .trailingData))
    }

    @Test(arguments: [
        ("01", JSONSyntaxError.Reason.leadingZero, 1), ("-01", .leadingZero, 2), ("1.", .missingFractionDigits, 2), (".5", .unexpectedCharacter, 0),
        ("-", .invalidNumber, 1), ("-a", .invalidNumber, 1), ("1e", .missingExponentDigits, 2), ("1e+", .missingExponentDigits, 3),
        ("+1", .unexpectedCharacter, 0), ("1.e3", .missingFractionDigits, 2), ("Infinity", .unexpectedCharacter, 0),
    ])
    func numberForms(text: String, reason: JSONSyntaxError.Reason, offset: Int) {
        #expect(refusal(text) == JSONSyntaxError(offset: offset, reason: reason))
    }

    @Test(arguments: ["0", "-0", "0.0", "10", "-10.25", "1e5", "1E-5", "1.5e+300", "123456789012345678901234567890"])
    func validNumbers(text: String) {
        #expect(refusal(text) == nil)
    }

    @Test func controlCharactersInStrings() {
        for byte in UInt8(0)..<0x20 {
            #expect(refusal([0x22, 0x61, byte, 0x22]) == JSONSyntaxError(offset: 2, reason: .controlCharacter))
        }
        #expect(refusal([0x22, 0x7F, 0x22]) == nil)  // DEL is not a control character to JSON
    }

    @Test(arguments: [
        (#""\x""#, JSONSyntaxError.Reason.invalidEscape, 2), (#""\'""#, .invalidEscape, 2), (#""\u12"  "#, .invalidHexDigit, 5),
        (#""\u12""#, .shortUnicodeEscape, 3), (#""\uZZZZ""#, .invalidHexDigit, 3), (#""\"#, .unterminatedEscape, 2),
        (#""abc"#, .unterminatedString, 4), (#""\u00e9"#, .unterminatedString, 7),
    ])
    func escapes(text: String, reason: JSONSyntaxError.Reason, offset: Int) {
        #expect(refusal(text) == JSONSyntaxError(offset: offset, reason: reason))
    }

    @Test(arguments: [
        (#""\ud800""#, 7), (#""\udc00""#, 7), (#""\udfff""#, 7), (#""\ud800\u0041""#, 13), (#""\ud800x""#, 7),
        (#""\ud800\ud800""#, 13), (#""\ude00\ud83d""#, 7),
    ])
    func loneSurrogates(text: String, offset: Int) {
        #expect(refusal(text) == JSONSyntaxError(offset: offset, reason: .unpairedSurrogate))
    }

    @Test func badUTF8() {
        for bytes: [UInt8] in [
            [0xFF], [0xFE], [0x80], [0xBF],  // never a lead byte
            [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // encoded surrogates
            [0xE2, 0x82], [0xC3], [0xF0, 0x9F, 0x98],  // truncated
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // above U+10FFFF
            [0xC3, 0x41], [0xE2, 0x28, 0xA1],  // bad continuation
        ] {
            #expect(refusal([0x22] + bytes + [0x22]) == JSONSyntaxError(offset: 1, reason: .invalidUTF8), "\(bytes)")
        }
        #expect(refusal([0xC3, 0xA9]) == JSONSyntaxError(offset: 0, reason: .unexpectedCharacter))  // outside a string
    }

    @Test func depthLimit() throws {
        #expect(refusal(#"{"a":[[{"b":1}]]}"#, maximumDepth: 4) == nil)
        #expect(refusal(#"{"a":[[{"b":[1]}]]}"#, maximumDepth: 4) == JSONSyntaxError(offset: 12, reason: .tooDeep))
        #expect(refusal("[]", maximumDepth: 0) == JSONSyntaxError(offset: 0, reason: .tooDeep))
        #expect(refusal("1", maximumDepth: 0) == nil)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refusal(deep) == JSONSyntaxError(offset: 32, reason: .tooDeep))
        // Depth is counted back down as containers close: siblings do not add up.
        #expect(refusal(String(repeating: "[[]],", count: 1000).dropLast().description.wrapped, maximumDepth: 3) == nil)
    }

    @Test func askingForAnotherKindIsRefusedWhereItStands() throws {
        let text = Array(" 12".utf8)
        let error = text.withUnsafeBytes { raw -> JSONSyntaxError? in
            var reader = JSONReader(raw)
            do throws(JSONSyntaxError) { _ = try reader.readString(); return nil } catch { return error }
        }
        #expect(error == JSONSyntaxError(offset: 1, reason: .unexpectedCharacter))
        let empty = [UInt8]().withUnsafeBytes { raw -> JSONSyntaxError? in
            var reader = JSONReader(raw)
            do throws(JSONSyntaxError) { try reader.enterObject(); return nil } catch { return error }
        }
        #expect(empty == JSONSyntaxError(offset: 0, reason: .expectedValue))
    }

    @Test func reasonsReadAsTheFrontPrintsThem() {
        #expect(JSONSyntaxError.Reason.shortUnicodeEscape.description == #"short \u escape"#)
        #expect(JSONSyntaxError.Reason.expectedColon.description == "expected ':' after an object key")
        #expect(JSONSyntaxError.Reason.trailingData.description == "unexpected data after the JSON value")
    }
}

extension String {
    /// The text inside one array.
    fileprivate var wrapped: String { "[" + self + "]" }
}
