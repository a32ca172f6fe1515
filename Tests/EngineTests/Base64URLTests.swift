import Foundation
import Testing
@testable import Engine

/// The computed alphabet against Foundation's base64 (with RFC 4648 §5's two substitutions and
/// no padding), and the decoder's refusals.
@Suite struct Base64URLTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    func reference(_ bytes: [UInt8]) -> [UInt8] {
        let standard = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Array(standard.utf8)
    }

    @Test func everyCharacterDecodesToItsValue() {
        for (value, character) in Self.alphabet.enumerated() {
            // Four equal characters are three bytes of the repeated 6-bit value.
            let v = UInt32(value)
            let bits = v << 18 | v << 12 | v << 6 | v
            let expected = [UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
            #expect(Base64URL.decode([character, character, character, character]) == expected)
            #expect(Base64URL.encode(expected) == [character, character, character, character])
        }
    }

    @Test func everyByteOutsideTheAlphabetIsRefused() {
        for byte in 0...255 where !Self.alphabet.contains(UInt8(byte)) {
            #expect(Base64URL.decode([UInt8(ascii: "A"), UInt8(ascii: "A"), UInt8(byte), UInt8(ascii: "A")]) == nil)
        }
    }

    @Test func encodingMatchesFoundationAndDecodingInvertsIt() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == reference(bytes))
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test func paddingLengthOneModFourAndTrailingBitsAreRefused() {
        #expect(Base64URL.decode(Array("QQ==".utf8)) == nil)
        #expect(Base64URL.decode(Array("QUJDR".utf8)) == nil)
        // "QR" decodes to one byte only if its last 4 bits are zero: "QQ" is canonical, "QR" is not.
        #expect(Base64URL.decode(Array("QQ".utf8)) == [0x41])
        #expect(Base64URL.decode(Array("QR".utf8)) == nil)
    }

    @Test func roundTripsAllLengths() {
        for length in 0..<64 {
            let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(Base64URL.encode(input)) == input)
        }
    }

    /// A byte outside the alphabet at every position of a long input (inside the four-character
    /// blocks and in the two- and three-character tails) is refused, and so are set unused bits
    /// of a three-character tail.
    @Test func refusesABadByteAnywhereAndLooseTailBits() {
        for length in [42, 43] {
            let valid = Array(repeating: UInt8(ascii: "Q"), count: length)
            #expect(Base64URL.decode(valid) != nil)
            for position in 0..<length {
                for bad: UInt8 in [UInt8(ascii: "="), UInt8(ascii: "+"), 0x00, 0x80, 0xFF] {
                    var input = valid
                    input[position] = bad
                    #expect(Base64URL.decode(input) == nil)
                }
            }
        }
        #expect(Base64URL.decode(Array("QUI".utf8)) == [0x41, 0x42])
        #expect(Base64URL.decode(Array("QUJ".utf8)) == nil)
        #expect(Base64URL.decode(Array("AAAAQUJ".utf8)) == nil)
        #expect(Base64URL.decode(Array("AAAAQR".utf8)) == nil)
    }

    @Test func rejectsNonCanonicalInput() {
        #expect(Base64URL.decode(Array("a".utf8)) == nil)
        #expect(Base64URL.decode(Array("ab==".utf8)) == nil)
        #expect(Base64URL.decode(Array("a+/b".utf8)) == nil)
    }
}
