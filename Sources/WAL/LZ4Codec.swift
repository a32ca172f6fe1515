import CLZ4

/// lz4 block compression (liblz4's `LZ4_compress_default` / `LZ4_decompress_safe`).
enum LZ4Codec {
    /// Compresses `input`; returns nil when the result would not be smaller (store raw then).
    static func compress(_ input: [UInt8]) -> [UInt8]? {
        compress(input[...])
    }

    /// Compresses a slice; returns nil when the result would not be smaller.
    static func compress(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        guard !input.isEmpty, input.count < Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                LZ4_compress_default(
                    src.baseAddress!.assumingMemoryBound(to: CChar.self),
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(src.count), Int32(bound))
            }
        }
        guard written > 0, Int(written) < input.count else { return nil }
        output.removeLast(bound - Int(written))
        return output
    }

    /// Decompresses into exactly `rawLength` bytes; nil if the input is malformed or the size differs.
    ///
    /// An LZ4 block expands at most 255-fold, so a `rawLength` more than that times the input is
    /// refused before its buffer is allocated (a damaged header could otherwise ask for 2 GiB).
    /// The most an LZ4 block can expand: 255 bytes out per byte in.
    static let maximumRatio = 255

    static func decompress(_ input: ArraySlice<UInt8>, rawLength: Int) -> [UInt8]? {
        guard rawLength >= 0, rawLength < Int(LZ4_MAX_INPUT_SIZE), input.count < Int(Int32.max) else { return nil }
        guard rawLength <= input.count * maximumRatio + 16 else { return nil }
        if rawLength == 0 { return input.isEmpty ? [] : nil }
        var output = [UInt8](repeating: 0, count: rawLength)
        let n = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                LZ4_decompress_safe(
                    src.baseAddress!.assumingMemoryBound(to: CChar.self),
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(src.count), Int32(rawLength))
            }
        }
        return n == Int32(rawLength) ? output : nil
    }
}
