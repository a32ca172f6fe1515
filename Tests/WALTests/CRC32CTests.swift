import Testing
@testable import WAL

@Suite struct CRC32CTests {
    @Test func knownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.softwareChecksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func hardwareMatchesSoftwareAndExtends() {
        for size in [1, 7, 8, 9, 63, 64, 1000, 4099] {
            let bytes = randomBytes(size, seed: UInt64(size))
            #expect(CRC32C.checksum(bytes) == CRC32C.softwareChecksum(bytes))
            let cut = size / 3
            #expect(CRC32C.extend(CRC32C.checksum(bytes[0..<cut]), bytes[cut...]) == CRC32C.checksum(bytes))
        }
    }

    @Test func lz4RoundTripAndIncompressible() {
        let text = [UInt8](repeating: 65, count: 10_000)
        let compressed = LZ4Codec.compress(text)
        #expect(compressed != nil)
        #expect(LZ4Codec.decompress(compressed![...], rawLength: text.count) == text)
        #expect(LZ4Codec.decompress(compressed![...], rawLength: text.count + 1) == nil)
        #expect(LZ4Codec.compress(randomBytes(64, seed: 3)) == nil)
    }
}
