#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A minimal, allocation-light HTTP/1.1 response parser for the load loop.
///
/// It understands exactly what a load generator needs: the status code,
/// `Content-Length`, `Transfer-Encoding: chunked`, `Connection: close/keep-alive`
/// (and the HTTP/1.0 default), bodyless statuses (1xx, 204, 304) and bodies
/// delimited by connection close. It is stateless: ``parse(_:atEOF:)`` looks at the
/// readable bytes and either consumes one whole response or consumes nothing, so
/// partial reads are simply retried when more bytes arrive. Responses in this
/// workload are small, so the rescan on a partial read costs less than keeping
/// incremental state would in the common one-read case.
enum HTTPResponseParser {
    /// Header blocks larger than this are treated as a broken server.
    static let maxHeaderBytes = 64 * 1024

    /// Where the pieces of one response lie in the readable bytes.
    private struct Layout {
        var status: Int
        var keepAlive: Bool
        /// Offset just past the whole response (or nil while incomplete).
        var end: Int
        /// The body's byte range when it is contiguous (Content-Length, close-delimited).
        var body: Range<Int>?
        /// The chunks' byte ranges of a chunked body (empty otherwise; an empty
        /// array does not allocate, so the common path allocates nothing).
        var chunks: [Range<Int>] = []
        /// True when the response is informational (1xx) and must be skipped.
        var informational: Bool
    }

    private enum Scan {
        case incomplete
        case failed(ResponseParseError)
        case complete(Layout)
    }

    /// Parses one response from the front of `buffer`. On success the reader index
    /// moves past it; when the bytes are incomplete, returns nil and leaves `buffer`
    /// untouched. Pass `atEOF: true` once the peer closed, to finish a response whose
    /// body is delimited by the close. Informational (1xx) responses are skipped.
    static func parse(_ buffer: inout ByteBuffer, atEOF: Bool = false) throws(ResponseParseError) -> HTTPResponse? {
        while true {
            let scan = buffer.withUnsafeReadableBytes { scanResponse($0, atEOF: atEOF) }
            switch scan {
            case .incomplete:
                return nil
            case .failed(let error):
                throw error
            case .complete(let layout):
                if layout.informational {
                    buffer.moveReaderIndex(forwardBy: layout.end)
                    continue
                }
                let body: ByteBuffer
                if let r = layout.body {
                    body = buffer.getSlice(at: buffer.readerIndex + r.lowerBound, length: r.count)!
                } else if layout.chunks.isEmpty {
                    body = ByteBuffer()
                } else {
                    var joined = ByteBuffer()
                    joined.reserveCapacity(layout.chunks.reduce(0) { $0 + $1.count })
                    for r in layout.chunks {
                        var piece = buffer.getSlice(at: buffer.readerIndex + r.lowerBound, length: r.count)!
                        joined.writeBuffer(&piece)
                    }
                    body = joined
                }
                buffer.moveReaderIndex(forwardBy: layout.end)
                return HTTPResponse(status: layout.status, keepAlive: layout.keepAlive, body: body)
            }
        }
    }

    // MARK: - Scanning

    private static let cr: UInt8 = 13
    private static let lf: UInt8 = 10

    /// The index of the first `byte` in `p[from..<to]`, found with the C library's `memchr`
    /// (many bytes per step) instead of a byte-at-a-time loop.
    private static func index(of byte: UInt8, in p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = p.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    private static func findCRLF(_ p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var i = from
        while i + 1 < to {
            if p[i] == cr && p[i + 1] == lf { return i }
            i += 1
        }
        return nil
    }

    /// Case-insensitive comparison of `p[range]` with a lower-case ASCII name.
    private static func equalsLower(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let s = name.utf8Start
        for (k, i) in range.enumerated() where (p[i] | 0x20) != s[k] {
            return false
        }
        return true
    }

    /// True when `p[range]` contains `token` (lower-case ASCII), case-insensitively.
    private static func containsLower(_ p: UnsafeRawBufferPointer, _ range: Range<Int>, _ token: StaticString) -> Bool {
        let m = token.utf8CodeUnitCount
        guard range.count >= m else { return false }
        let s = token.utf8Start
        var i = range.lowerBound
        while i + m <= range.upperBound {
            var k = 0
            while k < m && (p[i + k] | 0x20) == s[k] { k += 1 }
            if k == m { return true }
            i += 1
        }
        return false
    }

    private static func scanResponse(_ p: UnsafeRawBufferPointer, atEOF: Bool) -> Scan {
        var status = 0
        var keepAlive = false
        var contentLength: Int?
        var chunked = false
        var lineStart = 0
        let headEnd: Int
        // One pass over the head, a line at a time: each line ends at the next LF, which must
        // follow a CR.
        while true {
            guard let lineFeed = index(of: lf, in: p, from: lineStart, to: p.count) else {
                return p.count > maxHeaderBytes ? .failed(.headerTooLarge) : .incomplete
            }
            if lineFeed > maxHeaderBytes { return .failed(.headerTooLarge) }
            guard lineFeed > lineStart, p[lineFeed - 1] == cr else {
                return .failed(lineStart == 0 ? .badStatusLine : .badHeader)
            }
            let lineEnd = lineFeed - 1
            if lineStart == 0 {
                // Status line: HTTP/1.x SP NNN
                guard lineEnd >= 12, p[0] == UInt8(ascii: "H"), p[1] == UInt8(ascii: "T"), p[2] == UInt8(ascii: "T"),
                      p[3] == UInt8(ascii: "P"), p[4] == UInt8(ascii: "/"), p[5] == UInt8(ascii: "1"),
                      p[6] == UInt8(ascii: "."), p[8] == UInt8(ascii: " ")
                else { return .failed(.badStatusLine) }
                for i in 9..<12 {
                    let d = p[i] &- UInt8(ascii: "0")
                    guard d < 10 else { return .failed(.badStatusLine) }
                    status = status * 10 + Int(d)
                }
                keepAlive = p[7] == UInt8(ascii: "1")
            } else if lineEnd == lineStart {
                headEnd = lineFeed + 1
                break
            } else {
                guard let colon = index(of: UInt8(ascii: ":"), in: p, from: lineStart, to: lineEnd), colon > lineStart
                else { return .failed(.badHeader) }
                var vs = colon + 1
                while vs < lineEnd && (p[vs] == 32 || p[vs] == 9) { vs += 1 }
                var ve = lineEnd
                while ve > vs && (p[ve - 1] == 32 || p[ve - 1] == 9) { ve -= 1 }
                let name = lineStart..<colon
                switch colon - lineStart {
                case 14 where equalsLower(p, name, "content-length"):
                    guard vs < ve else { return .failed(.badHeader) }
                    var n = 0
                    for i in vs..<ve {
                        let d = p[i] &- UInt8(ascii: "0")
                        guard d < 10, n < Int.max / 10 else { return .failed(.badHeader) }
                        n = n * 10 + Int(d)
                    }
                    contentLength = n
                case 17 where equalsLower(p, name, "transfer-encoding"):
                    chunked = containsLower(p, vs..<ve, "chunked")
                case 10 where equalsLower(p, name, "connection"):
                    if containsLower(p, vs..<ve, "close") { keepAlive = false }
                    else if containsLower(p, vs..<ve, "keep-alive") { keepAlive = true }
                default:
                    break
                }
            }
            lineStart = lineFeed + 1
        }

        if status < 200 {
            return .complete(Layout(status: status, keepAlive: keepAlive, end: headEnd, body: nil, informational: true))
        }
        if status == 204 || status == 304 {
            return .complete(Layout(status: status, keepAlive: keepAlive, end: headEnd, body: nil, informational: false))
        }
        if chunked {
            return scanChunks(p, from: headEnd, status: status, keepAlive: keepAlive)
        }
        if let length = contentLength {
            guard p.count - headEnd >= length else { return .incomplete }
            return .complete(Layout(status: status, keepAlive: keepAlive, end: headEnd + length,
                                    body: length == 0 ? nil : headEnd..<(headEnd + length), informational: false))
        }
        // Body delimited by the connection close.
        guard atEOF else { return .incomplete }
        return .complete(Layout(status: status, keepAlive: false, end: p.count,
                                body: p.count == headEnd ? nil : headEnd..<p.count, informational: false))
    }

    private static func scanChunks(_ p: UnsafeRawBufferPointer, from start: Int, status: Int, keepAlive: Bool) -> Scan {
        var ranges: [Range<Int>] = []
        var i = start
        while true {
            guard let lineEnd = findCRLF(p, from: i, to: p.count) else { return .incomplete }
            var size = 0
            var j = i
            while j < lineEnd && p[j] != UInt8(ascii: ";") && p[j] != 32 {
                let c = p[j] | 0x20
                let d: UInt8
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { d = c - UInt8(ascii: "0") }
                else if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") { d = c - UInt8(ascii: "a") + 10 }
                else { return .failed(.badChunk) }
                guard size < Int.max >> 4 else { return .failed(.badChunk) }
                size = size << 4 | Int(d)
                j += 1
            }
            guard j > i else { return .failed(.badChunk) }
            let dataStart = lineEnd + 2
            if size == 0 {
                // Trailer section: header lines until an empty line.
                var t = dataStart
                while true {
                    guard let e = findCRLF(p, from: t, to: p.count) else { return .incomplete }
                    if e == t {
                        return .complete(Layout(status: status, keepAlive: keepAlive, end: e + 2, body: nil, chunks: ranges, informational: false))
                    }
                    t = e + 2
                }
            }
            guard p.count >= dataStart + size + 2 else { return .incomplete }
            guard p[dataStart + size] == cr, p[dataStart + size + 1] == lf else { return .failed(.badChunk) }
            ranges.append(dataStart..<(dataStart + size))
            i = dataStart + size + 2
        }
    }
}
