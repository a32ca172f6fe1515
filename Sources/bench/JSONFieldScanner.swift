import JSON
import NIOCore

/// Pulls one string field out of a small JSON response body with the shared `JSONReader`.
///
/// The refresh loop must read the rotated `refreshToken` from every answer; a full decode
/// (Foundation's `JSONSerialization`) costs more than the request itself. The body is walked
/// in document order, every member it passes compared in place, until the first member named
/// `name` at any depth: its value if that is a string, else nil. This is enough for the auth
/// API's answers, whose keys are unique where it is used (`accessToken`, `refreshToken`,
/// `code`). A body that is not JSON up to that member gives nil.
enum JSONFieldScanner {
    /// The string value of the first key `name` in `body`, or nil if absent or not a string.
    static func string(_ name: String, in body: ByteBuffer) -> String? {
        let key = Array(name.utf8)
        return body.withUnsafeReadableBytes { bytes -> String? in
            var reader = JSONReader(bytes)
            guard case .found(let value)? = try? find(key, in: &reader) else { return nil }
            return value
        }
    }

    /// What a walk over one value found.
    private enum Search {
        /// The first member named so, and its value if a string.
        case found(String?)
        case absent
    }

    /// Walks the value at the reader, depth first, for the first member named `key`.
    private static func find(_ key: [UInt8], in reader: inout JSONReader) throws(JSONSyntaxError) -> Search {
        switch reader.nextValueKind() {
        case .object?:
            try reader.enterObject()
            while let member = try reader.nextMemberKey() {
                if member.equals(key) {
                    return .found(reader.nextValueKind() == .string ? String(try reader.readString()) : nil)
                }
                if case .found(let value) = try find(key, in: &reader) { return .found(value) }
            }
        case .array?:
            try reader.enterArray()
            while try reader.nextElement() {
                if case .found(let value) = try find(key, in: &reader) { return .found(value) }
            }
        default:
            try reader.skipValue()
        }
        return .absent
    }
}
