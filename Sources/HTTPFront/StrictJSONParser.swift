import Engine

/// A small, strict RFC 8259 parser for request bodies.
///
/// It accepts any JSON value (so malformed input is always rejected, however
/// deep it hides), limits nesting depth, requires UTF-8, decodes escapes
/// including surrogate pairs (a lone surrogate is rejected, since it cannot
/// become a Swift string), and rejects anything after the value but
/// whitespace. It keeps only what the HTTP front needs: the top-level string
/// members of an object. No Foundation, no allocation for skipped values.
public struct StrictJSONParser: Sendable {
    /// The deepest array/object nesting accepted; the top-level object is depth 1.
    public var maximumDepth: Int

    /// Creates a parser; 32 levels is far beyond any body our routes accept.
    public init(maximumDepth: Int = 32) {
        self.maximumDepth = maximumDepth
    }

    /// Parses `bytes` as one JSON value that must be an object.
    public func parseObject(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONObjectFields {
        let result: Result<JSONObjectFields, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.run(UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { Self.run($0, maximumDepth: maximumDepth) }.get()
    }

    /// Parses raw bytes in place (the ByteBuffer path).
    public func parseObject(rawBytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONObjectFields {
        try Self.run(rawBytes, maximumDepth: maximumDepth).get()
    }

    /// Checks that `bytes` is exactly one valid JSON value of any kind.
    public func validate(_ bytes: some Collection<UInt8>) throws(JSONParseError) {
        let copy = Array(bytes)
        let result: Result<Void, JSONParseError> = copy.withUnsafeBytes { raw in
            var cursor = Cursor(bytes: raw, maximumDepth: maximumDepth)
            do throws(JSONParseError) {
                cursor.skipWhitespace()
                try cursor.skipValue(depth: 0)
                cursor.skipWhitespace()
                if !cursor.atEnd { throw cursor.failure("unexpected data after the JSON value") }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private static func run(_ raw: UnsafeRawBufferPointer, maximumDepth: Int) -> Result<JSONObjectFields, JSONParseError> {
        var cursor = Cursor(bytes: raw, maximumDepth: maximumDepth)
        do throws(JSONParseError) {
            cursor.skipWhitespace()
            guard let first = cursor.peek() else { throw cursor.failure("empty body") }
            let fields: JSONObjectFields
            if first == UInt8(ascii: "{") {
                fields = try cursor.parseTopLevelObject()
            } else {
                try cursor.skipValue(depth: 0)
                cursor.skipWhitespace()
                if !cursor.atEnd { throw cursor.failure("unexpected data after the JSON value") }
                throw JSONParseError.notAnObject
            }
            cursor.skipWhitespace()
            if !cursor.atEnd { throw cursor.failure("unexpected data after the JSON value") }
            return .success(fields)
        } catch {
            return .failure(error)
        }
    }
}

extension StrictJSONParser {
    /// The parsing state over one contiguous body.
    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        let maximumDepth: Int
        var index = 0

        init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        var atEnd: Bool { index >= bytes.count }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        func failure(_ reason: String) -> JSONParseError { .malformed(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
            guard index < bytes.count, bytes[index] == byte else { throw failure("expected \(what)") }
            index += 1
        }

        // MARK: Top level

        mutating func parseTopLevelObject() throws(JSONParseError) -> JSONObjectFields {
            var fields = JSONObjectFields()
            if maximumDepth < 1 { throw JSONParseError.tooDeep(offset: index) }
            index += 1  // {
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return fields
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after an object key")
                skipWhitespace()
                if peek() == UInt8(ascii: "\"") {
                    fields.append(key: key, value: .value(try parseString()))
                } else {
                    try skipValue(depth: 1)
                    fields.append(key: key, value: .notString)
                }
                skipWhitespace()
                guard let next = peek() else { throw failure("unterminated object") }
                index += 1
                if next == UInt8(ascii: ",") { continue }
                if next == UInt8(ascii: "}") { return fields }
                index -= 1
                throw failure("expected ',' or '}' in an object")
            }
        }

        // MARK: Any value

        /// Skips one value; `depth` is the nesting level of its container.
        mutating func skipValue(depth: Int) throws(JSONParseError) {
            guard let byte = peek() else { throw failure("expected a value") }
            switch byte {
            case UInt8(ascii: "{"):
                guard depth + 1 <= maximumDepth else { throw JSONParseError.tooDeep(offset: index) }
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { index += 1; return }
                while true {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                    try skipString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "':' after an object key")
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard let next = peek() else { throw failure("unterminated object") }
                    if next == UInt8(ascii: ",") { index += 1; continue }
                    if next == UInt8(ascii: "}") { index += 1; return }
                    throw failure("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                guard depth + 1 <= maximumDepth else { throw JSONParseError.tooDeep(offset: index) }
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") { index += 1; return }
                while true {
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard let next = peek() else { throw failure("unterminated array") }
                    if next == UInt8(ascii: ",") { index += 1; continue }
                    if next == UInt8(ascii: "]") { index += 1; return }
                    throw failure("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "t"):
                try literal("true")
            case UInt8(ascii: "f"):
                try literal("false")
            case UInt8(ascii: "n"):
                try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try skipNumber()
            default:
                throw failure("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw failure("invalid literal") }
            let start = word.utf8Start
            for offset in 0..<count where bytes[index + offset] != start[offset] {
                throw failure("invalid literal")
            }
            index += count
        }

        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        mutating func skipNumber() throws(JSONParseError) {
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
                throw failure("invalid number")
            }
            if first == UInt8(ascii: "0") {
                index += 1
                if let next = peek(), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
                    throw failure("leading zero in a number")
                }
            } else {
                _ = skipDigits()
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard skipDigits() > 0 else { throw failure("expected digits after '.'") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard skipDigits() > 0 else { throw failure("expected digits in an exponent") }
            }
        }

        // MARK: Strings

        /// Validates a string without keeping it.
        mutating func skipString() throws(JSONParseError) {
            index += 1  // opening quote
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    _ = try escape()
                case 0x00..<0x20:
                    throw failure("control character in a string")
                case 0x80...:
                    try skipUTF8Scalar()
                default:
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        /// Decodes a string; plain runs are copied in one go.
        mutating func parseString() throws(JSONParseError) -> String {
            index += 1  // opening quote
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure("control character in a string") }
                if byte >= 0x80 { try skipUTF8Scalar() } else { index += 1 }
            }
            guard index < bytes.count else { throw failure("unterminated string") }
            // Slow path: escapes present.
            var decoded: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            decoded.reserveCapacity(decoded.count + 16)
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    let scalar = try escape()
                    appendUTF8(scalar, to: &decoded)
                case 0x00..<0x20:
                    throw failure("control character in a string")
                case 0x80...:
                    let scalarStart = index
                    try skipUTF8Scalar()
                    decoded.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[scalarStart..<index]))
                default:
                    decoded.append(byte)
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        /// Reads one escape sequence (index at the backslash); returns its scalar.
        mutating func escape() throws(JSONParseError) -> UInt32 {
            index += 1
            guard let kind = peek() else { throw failure("unterminated escape") }
            index += 1
            switch kind {
            case UInt8(ascii: "\""): return 0x22
            case UInt8(ascii: "\\"): return 0x5C
            case UInt8(ascii: "/"): return 0x2F
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "f"): return 0x0C
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "u"):
                let unit = try hex4()
                switch unit {
                case 0xD800...0xDBFF:
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("unpaired surrogate in \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in \\u escape") }
                    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                case 0xDC00...0xDFFF:
                    throw failure("unpaired surrogate in \\u escape")
                default:
                    return unit
                }
            default:
                index -= 1
                throw failure("invalid escape")
            }
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw failure("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw failure("invalid hex digit in \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// Steps over one well-formed multi-byte UTF-8 scalar (RFC 3629: no
        /// overlongs, no surrogates, nothing above U+10FFFF).
        mutating func skipUTF8Scalar() throws(JSONParseError) {
            let lead = bytes[index]
            let length: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upperBound = 0x9F
            case 0xF0: length = 4; lowerBound = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upperBound = 0x8F
            default: throw failure("invalid UTF-8")
            }
            guard bytes.count - index >= length else { throw failure("invalid UTF-8") }
            let second = bytes[index + 1]
            guard second >= lowerBound, second <= upperBound else { throw failure("invalid UTF-8") }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
                throw failure("invalid UTF-8")
            }
            index += length
        }

        func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
            switch scalar {
            case 0..<0x80:
                output.append(UInt8(scalar))
            case 0x80..<0x800:
                output.append(UInt8(0xC0 | (scalar >> 6)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            case 0x800..<0x10000:
                output.append(UInt8(0xE0 | (scalar >> 12)))
                output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            default:
                output.append(UInt8(0xF0 | (scalar >> 18)))
                output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
                output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
    }
}
