/// A point in time with millisecond precision, as milliseconds since the Unix epoch.
///
/// The engine keeps all of its times in this form: it is what the WAL records carry and
/// what the clock hands out, so replay never depends on the host's calendar settings.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Whole seconds since the epoch (the unit of JWT `iat`/`exp`).
    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The time in RFC 3339 / ISO 8601 form with milliseconds and a `Z` zone, e.g. `2026-11-27T12:34:56.789Z`.
    public var iso8601: String {
        withISO8601 { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the 24 bytes of the ISO 8601 form, formatted on the stack (no heap):
    /// the HTTP front writes them straight into its response buffer.
    @inlinable
    public func withISO8601<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { out in
            let ms = milliseconds
            var days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
            let msOfDay = ms - days * 86_400_000
            // Civil-from-days (Howard Hinnant's algorithm).
            days += 719_468
            let era = (days >= 0 ? days : days - 146_096) / 146_097
            let doe = days - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            var year = yoe + era * 400
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let day = doy - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            if month <= 2 { year += 1 }
            var i = 0
            func put(_ value: Int64, digits: Int) {
                var v = value
                for k in stride(from: digits - 1, through: 0, by: -1) {
                    out[i + k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                }
                i += digits
            }
            func mark(_ c: Unicode.Scalar) { out[i] = UInt8(ascii: c); i += 1 }
            put(year, digits: 4); mark("-"); put(month, digits: 2); mark("-"); put(day, digits: 2); mark("T")
            put(msOfDay / 3_600_000, digits: 2); mark(":"); put(msOfDay / 60_000 % 60, digits: 2); mark(":")
            put(msOfDay / 1000 % 60, digits: 2); mark("."); put(msOfDay % 1000, digits: 3); mark("Z")
            return try body(UnsafeBufferPointer(rebasing: out[..<i]))
        }
    }
}
