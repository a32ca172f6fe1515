import Engine
import Foundation
import Testing
@testable import HTTPFront

@Suite struct StrictJSONParserTests {
    let parser = StrictJSONParser()

    func fields(_ text: String) throws -> JSONObjectFields {
        try parser.parseObject(Array(text.utf8))
    }

    @Test func keepsTopLevelStringsAndMarksOtherValues() throws {
        let parsed = try fields(#"{"email":"a@b.co","password":12,"name":null,"x":{"deep":[1,2,{"a":"b"}]},"y":true,"z":[]}"#)
        #expect(parsed["email"] == .value("a@b.co"))
        #expect(parsed["password"] == .notString)
        #expect(parsed["name"] == .notString)
        #expect(parsed["x"] == .notString)
        #expect(parsed["y"] == .notString)
        #expect(parsed["missing"] == .missing)
        #expect(parsed.count == 6)
    }

    @Test func emptyObjectAndWhitespace() throws {
        #expect(try fields(" \t\r\n{ } \n").count == 0)
    }

    @Test func lastDuplicateKeyWins() throws {
        #expect(try fields(#"{"a":"1","a":"2"}"#)["a"] == .value("2"))
        #expect(try fields(#"{"a":"1","a":2}"#)["a"] == .notString)
    }

    @Test(arguments: [
        (#"{"s":"a\"b"}"#, "a\"b"),
        (#"{"s":"a\\b"}"#, "a\\b"),
        (#"{"s":"\/\b\f\n\r\t"}"#, "/\u{08}\u{0C}\n\r\t"),
        (#"{"s":"\u0041\u00e9\u20AC"}"#, "Aé€"),
        (#"{"s":"\ud83d\ude00"}"#, "😀"),
        (#"{"s":"x\uD834\uDD1Ey"}"#, "x𝄞y"),
        ("{\"s\":\"héllo wörld 日本 😀\"}", "héllo wörld 日本 😀"),
        (#"{"s":""}"#, ""),
        (#"{"s":"\u0000"}"#, "\u{0}"),
    ])
    func decodesEscapes(input: String, expected: String) throws {
        #expect(try fields(input)["s"] == .value(expected))
    }

    @Test func escapedKeys() throws {
        #expect(try fields(#"{"e\u006dail":"x"}"#)["email"] == .value("x"))
    }

    static let invalid: [String] = [
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":\"b\",}", "{,}", "{\"a\" \"b\"}", "{'a':'b'}", "{a:\"b\"}",
        "{\"a\":\"b\"}x", "{\"a\":\"b\"}{}", "{\"a\":\"b\"} //", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}",
        "{\"a\":+1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":True}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\uZZZZ\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
        "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"line\nbreak\"}", "{\"a\":\"unterminated}",
        "{\"a\":[}", "{\"a\":{\"b\":1}", "\u{FEFF}{}",
    ]

    @Test(arguments: invalid)
    func rejectsMalformed(input: String) {
        #expect(throws: JSONParseError.self) { try fields(input) }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],  // 0xFF
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D],  // overlong '/'
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D],  // encoded surrogate
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xE2, 0x82, 0x22, 0x7D],  // truncated
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D],  // > U+10FFFF
        ] {
            #expect(throws: JSONParseError.self) { try parser.parseObject(bytes) }
        }
    }

    @Test(arguments: ["[]", "\"str\"", "1", "-0.5e+3", "true", "false", "null", "[{\"a\":1}]"])
    func nonObjectTopLevelIsNotAnObject(input: String) {
        #expect(throws: JSONParseError.notAnObject) { try fields(input) }
    }

    @Test func validatesAnyValue() throws {
        for text in ["0", "-0", "1.5E-7", "[1,[2,[3]]]", "\"\\u00e9\"", "{\"a\":[true,false,null]}", " [ ] "] {
            try parser.validate(Array(text.utf8))
        }
        #expect(throws: JSONParseError.self) { try parser.validate(Array("[1] 2".utf8)) }
    }

    @Test func depthLimit() throws {
        let limited = StrictJSONParser(maximumDepth: 4)
        _ = try limited.parseObject(Array(#"{"a":[[{"b":1}]]}"#.utf8))  // depth 4
        #expect(throws: JSONParseError.tooDeep(offset: 12)) { try limited.parseObject(Array(#"{"a":[[{"b":[1]}]]}"#.utf8)) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parser.parseObject(Array(("{\"a\":" + deep + "}").utf8)) }
        #expect(throws: JSONParseError.self) { try parser.validate(Array(deep.utf8)) }
    }

    @Test func errorMessagesNeverEchoContent() {
        do {
            _ = try fields(#"{"password":"hunter2hunter2" x}"#)
            Issue.record("expected an error")
        } catch {
            #expect(!(error as! JSONParseError).message.contains("hunter2"))
        }
    }

    // MARK: Property-style
    // The grammar's own property tests (random damage, random bytes, UTF-8 against the standard
    // library) are next to the reader, in Tests/JSONTests; this one checks what the front keeps.

    /// Random JSON values written by a reference encoder parse back with the same strings.
    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix64(seed: 0xA11CE)
        for _ in 0..<500 {
            var expected: [String: FieldInput] = [:]
            var text = "{"
            let count = Int(rng.next() % 6)
            for index in 0..<count {
                let key = "k\(index)" + randomString(&rng, maxLength: 4)
                if index > 0 { text += "," }
                text += jsonQuoted(key) + ":"
                if rng.next() % 2 == 0 {
                    let value = randomString(&rng, maxLength: 20)
                    text += jsonQuoted(value)
                    expected[key] = .value(value)
                } else {
                    text += randomValue(&rng, depth: 0)
                    expected[key] = .notString
                }
            }
            text += "}"
            let parsed = try fields(text)
            for (key, value) in expected { #expect(parsed[key] == value, "\(text)") }
            // Foundation agrees it is JSON.
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "\(text)")
        }
    }

    func randomString(_ rng: inout SplitMix64, maxLength: Int) -> String {
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "€", "😀", "𝄞", "\u{7F}", "<"]
        let length = Int(rng.next() % UInt64(maxLength + 1))
        return String((0..<length).map { _ in pool[Int(rng.next() % UInt64(pool.count))] })
    }

    func randomValue(_ rng: inout SplitMix64, depth: Int) -> String {
        switch rng.next() % (depth > 3 ? 4 : 6) {
        case 0: return "null"
        case 1: return rng.next() % 2 == 0 ? "true" : "false"
        case 2: return ["0", "-1", "3.25", "1e10", "-0.5E-3", "12345678901234567890"][Int(rng.next() % 6)]
        case 3: return "[]"
        case 4: return "[" + (0..<Int(rng.next() % 3)).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<Int(rng.next() % 3)).map { i in "\"k\(i)\":" + randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    /// A reference encoder: every non-ASCII scalar as \u escapes (surrogate pairs above the BMP).
    func jsonQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value > 0x7E:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out += String(format: "\\u%04x", scalar.value)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A small deterministic generator for reproducible property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
