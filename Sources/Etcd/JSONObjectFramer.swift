/// Cuts a stream of bytes into whole top-level JSON objects, whatever the chunking.
///
/// The gateway's streaming answers (`/v3/watch`, `/v3/lease/keepalive`) are JSON objects one
/// after another (newline-separated in practice), but the HTTP chunks that carry them follow no
/// object boundary: one object may be split across chunks, several may share one. The framer
/// tracks brace depth outside strings (minding escapes) and hands out each object as soon as its
/// closing brace arrives. Whitespace between objects is skipped; anything else there is an error.
struct JSONObjectFramer: Sendable {
    /// The largest object accepted, so a broken peer cannot grow the buffer without bound.
    let maximumObjectSize: Int

    private var buffer: [UInt8] = []
    /// Where scanning resumes in `buffer` (everything before it has been scanned).
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false

    init(maximumObjectSize: Int = 16 << 20) {
        self.maximumObjectSize = maximumObjectSize
    }

    /// Bytes received but not yet part of a whole object (0 between objects).
    var pendingByteCount: Int { buffer.count }

    /// Adds bytes and returns every object they complete, in order.
    mutating func append(_ bytes: some Sequence<UInt8>) throws(EtcdError) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var objects: [[UInt8]] = []
        var start = 0
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if depth == 0 {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    start = index + 1
                case UInt8(ascii: "{"):
                    start = index
                    depth = 1
                default:
                    throw .malformedResponse(
                        "stream: unexpected byte 0x\(String(byte, radix: 16)) between JSON objects")
                }
            } else if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        objects.append(Array(buffer[start...index]))
                        start = index + 1
                    }
                default: break
                }
            }
            index += 1
        }
        buffer.removeFirst(start)
        scanned = buffer.count
        if buffer.count > maximumObjectSize {
            throw .malformedResponse("stream: a JSON object longer than \(maximumObjectSize) bytes")
        }
        return objects
    }
}
