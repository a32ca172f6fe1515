import Engine
import JSON

/// The request-body rules of the HTTP front, on the shared strict `JSONReader`.
///
/// The grammar (RFC 8259, UTF-8, escapes and surrogate pairs, depth) is the reader's; what
/// is decided here is what the front keeps and how refusals read: a body is one JSON value
/// that must be an object, of which only the top-level string members keep their value
/// (anything else is validated, then remembered as "not a string"); errors become
/// `JSONParseError`, the `details` of a 400 INVALID_PAYLOAD.
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
            var reader = JSONReader(raw, maximumDepth: maximumDepth)
            do throws(JSONSyntaxError) {
                try reader.skipValue()
                try reader.expectEnd()
                return .success(())
            } catch {
                return .failure(JSONParseError(error))
            }
        }
        try result.get()
    }

    private static func run(_ raw: UnsafeRawBufferPointer, maximumDepth: Int) -> Result<JSONObjectFields, JSONParseError> {
        var reader = JSONReader(raw, maximumDepth: maximumDepth)
        do throws(JSONSyntaxError) {
            switch reader.nextValueKind() {
            case .object?:
                let fields = try topLevelMembers(&reader)
                try reader.expectEnd()
                return .success(fields)
            case nil where reader.isAtEnd():
                return .failure(.malformed(offset: reader.offset, reason: "empty body"))
            default:
                try reader.skipValue()
                try reader.expectEnd()
                return .failure(.notAnObject)
            }
        } catch {
            return .failure(JSONParseError(error))
        }
    }

    /// The object's top-level members: strings decoded, any other value validated and skipped.
    private static func topLevelMembers(_ reader: inout JSONReader) throws(JSONSyntaxError) -> JSONObjectFields {
        var fields = JSONObjectFields()
        try reader.enterObject()
        while let key = try reader.nextMemberKey() {
            let name = String(key)
            if reader.nextValueKind() == .string {
                fields.append(key: name, value: .value(String(try reader.readString())))
            } else {
                try reader.skipValue()
                fields.append(key: name, value: .notString)
            }
        }
        return fields
    }
}
