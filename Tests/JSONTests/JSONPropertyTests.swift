import Foundation
import Testing
@testable import JSON

/// Random documents and random damage: the reader agrees with the writer, with Foundation,
/// and with the standard library's UTF-8 validation, and never traps.
@Suite struct JSONPropertyTests {
    /// Random values written by the writer read back the same, and Foundation agrees they are JSON.
    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix64(seed: 0xA11CE)
        for _ in 0..<500 {
            let value = randomValue(&rng, depth: 0)
            let text = value.text
            #expect(try Value.read(text) == value, "\(String(decoding: text, as: UTF8.self))")
            #expect((try? JSONSerialization.jsonObject(with: Data(text), options: .fragmentsAllowed)) != nil)
        }
    }

    /// A reference encoder that writes every non-ASCII scalar as `\u` escapes (surrogate pairs
    /// above the BMP) gives texts that read back to the same strings.
    @Test func escapedDocumentsDecode() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<500 {
            let value = randomString(&rng, maxLength: 20)
            #expect(try Value.read(Array(escapedEverywhere(value).utf8)) == .string(value))
        }
    }

    /// Random byte damage to valid documents never traps, and whatever we accept Foundation
    /// accepts too (we are the stricter one).
    @Test func randomMutationsNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let seeds = [#"{"email":"a@b.co","password":"p\u00e9ss\n","n":[1,2.5e3,{"x":null}]}"#, #"{"a":"\ud83d\ude00","b":true}"#, #"[0,-1.5E+2,"é",false]"#]
        for _ in 0..<5000 {
            var bytes = Array(seeds[Int(rng.next() % UInt64(seeds.count))].utf8)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            if refusal(bytes) == nil {
                let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
                #expect(theirs != nil, "accepted \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("{}[]\":,\\u0123456789abcdefEe.+-truefalsenull \t\n\"".utf8) + [0x00, 0x80, 0xC3, 0xA9, 0xFF]
        for _ in 0..<5000 {
            let length = Int(rng.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            _ = refusal(bytes)
            _ = refusal(bytes, maximumDepth: 2)
        }
    }

    /// Inside a string, the reader accepts exactly the byte sequences the standard library
    /// accepts as UTF-8 (the ones free of quotes, backslashes and control characters).
    @Test func utf8AgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 0x0F8)
        for _ in 0..<20_000 {
            let bytes = (0..<(1 + Int(rng.next() % 6))).map { _ -> UInt8 in
                let byte = UInt8(truncatingIfNeeded: rng.next())
                return byte < 0x20 || byte == 0x22 || byte == 0x5C ? byte | 0x80 : byte
            }
            let ours = refusal([0x22] + bytes + [0x22]) == nil
            let theirs = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == theirs, "\(bytes)")
        }
    }

    // MARK: Generators

    func randomString(_ rng: inout SplitMix64, maxLength: Int) -> String {
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{0}", "é", "€", "😀", "𝄞", "\u{7F}", "<", "\u{FFFF}"]
        let length = Int(rng.next() % UInt64(maxLength + 1))
        return String((0..<length).map { _ in pool[Int(rng.next() % UInt64(pool.count))] })
    }

    func randomValue(_ rng: inout SplitMix64, depth: Int) -> Value {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(["0", "-0", "-1", "3.25", "1e10", "-0.5E-3", "12345678901234567890"][Int(rng.next() % 7)])
        case 3, 4: return .string(randomString(&rng, maxLength: 12))
        case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object((0..<Int(rng.next() % 4)).map { _ in (randomString(&rng, maxLength: 5), randomValue(&rng, depth: depth + 1)) })
        }
    }

    func escapedEverywhere(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value > 0x7E:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04x\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out += String(format: "\\u%04x", scalar.value)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
