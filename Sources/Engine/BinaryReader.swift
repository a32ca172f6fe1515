import Foundation

/// Decoding counterpart of `BinaryWriter` over borrowed bytes; every read is
/// bounds-checked and throws `EngineDecodingError` instead of trapping on damaged input.
///
/// Use it inside `withUnsafeBytes` of the buffer (see `decode(_:_:)`): reading straight
/// from memory is what keeps a million-user snapshot load fast.
struct BinaryReader {
    let base: UnsafeRawBufferPointer
    var offset: Int

    init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    /// Runs `body` with a reader over `bytes`.
    static func decode<T>(_ bytes: [UInt8], _ body: (inout BinaryReader) throws(EngineDecodingError) -> T) throws(EngineDecodingError) -> T {
        let result: Result<T, EngineDecodingError> = bytes.withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            do throws(EngineDecodingError) {
                return .success(try body(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    var isAtEnd: Bool { offset == base.count }

    /// Bytes left to read.
    var remaining: Int { base.count - offset }

    @inline(__always)
    fileprivate mutating func reserve(_ count: Int) throws(EngineDecodingError) -> Int {
        guard count >= 0, base.count - offset >= count else { throw .truncated(offset: offset) }
        defer { offset += count }
        return offset
    }

    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws(EngineDecodingError) -> T {
        let at = try reserve(MemoryLayout<T>.size)
        return T(littleEndian: base.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    mutating func readUInt8() throws(EngineDecodingError) -> UInt8 { try load(UInt8.self) }
    mutating func readUInt16() throws(EngineDecodingError) -> UInt16 { try load(UInt16.self) }
    mutating func readUInt32() throws(EngineDecodingError) -> UInt32 { try load(UInt32.self) }
    mutating func readUInt64() throws(EngineDecodingError) -> UInt64 { try load(UInt64.self) }
    mutating func readInt64() throws(EngineDecodingError) -> Int64 { try load(Int64.self) }
    mutating func readTimestamp() throws(EngineDecodingError) -> Timestamp { Timestamp(milliseconds: try readInt64()) }
    mutating func readUUID() throws(EngineDecodingError) -> UUID {
        let at = try reserve(16)
        return UUID(uuid: base.loadUnaligned(fromByteOffset: at, as: uuid_t.self))
    }
    mutating func readTokenID() throws(EngineDecodingError) -> TokenID { TokenID(high: try readUInt64(), low: try readUInt64()) }
    mutating func readString() throws(EngineDecodingError) -> String {
        let start = offset
        let count = Int(try readUInt32())
        let at = try reserve(count)
        let slice = UnsafeRawBufferPointer(rebasing: base[at..<at + count]).assumingMemoryBound(to: UInt8.self)
        guard let s = String(validating: slice, as: UTF8.self) else { throw .invalidText(offset: start) }
        return s
    }
    mutating func readFlag() throws(EngineDecodingError) -> Bool {
        let at = offset
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        default: throw .invalidTag(offset: at)
        }
    }
    mutating func readOptionalString() throws(EngineDecodingError) -> String? { try readFlag() ? try readString() : nil }
    mutating func readOptionalTokenID() throws(EngineDecodingError) -> TokenID? { try readFlag() ? try readTokenID() : nil }
    mutating func readOptionalTimestamp() throws(EngineDecodingError) -> Timestamp? { try readFlag() ? try readTimestamp() : nil }
}

extension BinaryReader {
    /// A signing key as `BinaryWriter.write(_: SigningKey)` wrote it; the key bytes must fit the
    /// algorithm (a private key that does not make a key is refused here, not at signing time).
    mutating func readSigningKey() throws(EngineDecodingError) -> SigningKey {
        let kid = try readString()
        let algorithmAt = offset
        guard let algorithm = SigningAlgorithm(rawValue: try readString()), algorithm.isAsymmetric else {
            throw .invalidTag(offset: algorithmAt)
        }
        let privateAt = offset
        let privateKey = try readBytes(count: Int(try readUInt16()))
        let publicKey = try readBytes(count: Int(try readUInt16()))
        guard SigningKeyMaterial.publicKey(of: privateKey, algorithm: algorithm) == publicKey else { throw .invalidTag(offset: privateAt) }
        return SigningKey(kid: kid, algorithm: algorithm, privateKey: privateKey, publicKey: publicKey,
                          createdAt: try readTimestamp(), activatesAt: try readTimestamp())
    }

    mutating func readBytes(count: Int) throws(EngineDecodingError) -> [UInt8] {
        let at = try reserve(count)
        return Array(UnsafeRawBufferPointer(rebasing: base[at..<at + count]))
    }
}
