import Foundation
import Testing
@testable import JSON

@Suite struct JSONWriterTests {
    func render(_ body: (inout JSONWriter<[UInt8]>) -> Void) -> String {
        var writer = JSONWriter(into: [UInt8]())
        body(&writer)
        return String(decoding: writer.sink, as: UTF8.self)
    }

    @Test func escapesQuotesBackslashesAndControls() {
        let text = render { $0.string("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F}é😀/") }
        #expect(text == #""a\"b\\c\n\r\t\b\f\u0001\u001f"# + "\u{7F}é😀/\"")
    }

    /// `appendUnescaped` copies the bytes as they are, where `appendJSONString` quotes and escapes.
    @Test func unescapedTextIsCopiedAsItIs() {
        var raw: [UInt8] = []
        raw.appendUnescaped("a\"b\\c\né")
        #expect(raw == Array("a\"b\\c\né".utf8))
        var quoted: [UInt8] = []
        quoted.appendJSONString("a\"b\\c\né")
        #expect(String(decoding: quoted, as: UTF8.self) == #""a\"b\\c\né""#)
    }

    @Test func commasAndNesting() {
        let text = render { w in
            w.beginObject()
            w.key("a"); w.integer(-3)
            w.key("b"); w.bool(true)
            w.key("c"); w.null()
            w.key("d"); w.beginArray(); w.string("x"); w.beginObject(); w.endObject(); w.string(orNull: nil); w.bool(false); w.endArray()
            w.key("run\"time"); w.string(orNull: "y")
            w.key("v"); w.value { $0.append("1.5e3") }
            w.endObject()
        }
        #expect(text == #"{"a":-3,"b":true,"c":null,"d":["x",{},null,false],"run\"time":"y","v":1.5e3}"#)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, 1_000_000_007, .max])
    func integers(value: Int64) {
        var out: [UInt8] = []
        out.appendJSONInteger(value)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }

    /// Every string the writer escapes is read back to itself, by our reader and by Foundation's.
    @Test func everyStringRoundTrips() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<1000 {
            let scalars = (0..<Int(rng.next() % 30)).compactMap { _ -> Character? in
                let value = UInt32(rng.next() % 4 == 0 ? rng.next() % 0x20 : rng.next() % 0x11000)
                guard let scalar = Unicode.Scalar(value) else { return nil }
                return Character(scalar)
            }
            let value = String(scalars)
            var out: [UInt8] = []
            out.appendJSONString(value)
            #expect(try Value.read(out) == .string(value))
            let decoded = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
            #expect(decoded == value)
        }
    }
}

@Suite struct RawBufferSinkTests {
    @Test func writesWhatFitsAndSaysWhenSomethingDidNot() {
        withUnsafeTemporaryAllocation(byteCount: 8, alignment: 1) { memory in
            var writer = JSONWriter(into: RawBufferSink(memory))
            writer.string("abc")
            #expect(writer.sink.count == 5)
            #expect(!writer.sink.overflowed)
            writer.string("toolong")   // a comma and 9 more bytes do not fit in the 3 left
            #expect(writer.sink.overflowed)
            #expect(writer.sink.count <= 8)
            #expect(Array(UnsafeRawBufferPointer(rebasing: memory[..<5])) == Array(#""abc""#.utf8))
        }
    }
}

@Suite struct PlainASCIIWordTests {
    /// Against the byte-by-byte rule, for every byte value in every position of a plain word.
    @Test func agreesWithTheByteRuleForEveryByteInEveryPosition() {
        let plain = Array("abcdefgh".utf8)
        for position in 0..<8 {
            for value in 0...255 {
                var bytes = plain
                bytes[position] = UInt8(value)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let special = value < 0x20 || value >= 0x80 || value == 0x22 || value == 0x5C
                #expect(PlainASCIIWord.isPlain(word) == !special, "byte \(value) at \(position)")
            }
        }
    }
}
