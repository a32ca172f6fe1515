import Testing
@testable import Etcd

/// The stream framer: objects come out whole whatever the chunking, braces inside strings do
/// not count, and junk between objects is an error.
@Suite struct JSONObjectFramerTests {
    let stream = #"{"result":{"created":true}}"# + "\n"
        + #"{"result":{"events":[{"kv":{"key":"e30=","value":"a}b{\"c\\"}}]}}"# + "\n"
        + #"{"a":[{"b":"]"},{}]}"#

    var expected: [String] { stream.split(separator: "\n").map(String.init) }

    func frame(_ chunks: [[UInt8]]) throws -> [String] {
        var framer = JSONObjectFramer()
        var objects: [String] = []
        for chunk in chunks {
            objects += try framer.append(chunk).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(framer.pendingByteCount == 0)
        return objects
    }

    @Test func wholeStreamInOneChunk() throws {
        #expect(try frame([Array(stream.utf8)]) == expected)
    }

    @Test func everySplitPoint() throws {
        let bytes = Array(stream.utf8)
        for cut in 0...bytes.count {
            #expect(try frame([Array(bytes[..<cut]), Array(bytes[cut...])]) == expected)
        }
    }

    @Test func oneByteAtATime() throws {
        #expect(try frame(Array(stream.utf8).map { [$0] }) == expected)
    }

    @Test func randomChunkings() throws {
        let bytes = Array(stream.utf8)
        var generator = SplitMix(seed: 10)
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let size = Int(generator.next() % 17)
                chunks.append(Array(bytes[index..<min(bytes.count, index + size)]))
                index += size
            }
            #expect(try frame(chunks) == expected)
        }
    }

    @Test func objectsMergedWithoutSeparators() throws {
        #expect(try frame([Array(#"{"a":1}{"b":2}  {"c":3}"#.utf8)]) == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
    }

    @Test func junkBetweenObjectsIsMalformed() {
        var framer = JSONObjectFramer()
        #expect(throws: EtcdError.self) { try framer.append(Array(#"{"a":1}x"#.utf8)) }
        var other = JSONObjectFramer()
        #expect(throws: EtcdError.self) { try other.append(Array("Not Found".utf8)) }
    }

    @Test func oversizeObjectIsMalformed() throws {
        var framer = JSONObjectFramer(maximumObjectSize: 64)
        _ = try framer.append(Array(#"{"a":""#.utf8))
        #expect(throws: EtcdError.self) { try framer.append([UInt8](repeating: UInt8(ascii: "x"), count: 100)) }
    }
}

/// A deterministic generator (SplitMix64) so the random chunkings repeat.
struct SplitMix: RandomNumberGenerator {
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
