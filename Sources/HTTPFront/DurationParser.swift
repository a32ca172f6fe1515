/// Reads durations the way the seed's settings are written.
///
/// `15m`, `7d`, `60s`, `500ms`, `1.5h`, `2 days`, `10 minutes` (the `ms`
/// package's units and long forms, case-insensitive), and a bare number,
/// which is seconds, as `jsonwebtoken` reads a numeric `expiresIn` and as the
/// seed's `durationToMs` reads a digit-only string.
public enum DurationParser {
    /// The duration in seconds, or nil when `text` is not a duration (or negative).
    public static func seconds(_ text: String) -> Double? {
        let trimmed = Substring(text).trimmingSpaces()
        var index = trimmed.startIndex
        while index < trimmed.endIndex, trimmed[index].isASCII, trimmed[index].isNumber || trimmed[index] == "." {
            index = trimmed.index(after: index)
        }
        let numberText = trimmed[..<index]
        guard !numberText.isEmpty, numberText.first != ".", numberText.last != ".",
            numberText.filter({ $0 == "." }).count <= 1, let amount = Double(numberText)
        else { return nil }
        let unit = trimmed[index...].trimmingSpaces().lowercased()
        let factor: Double
        switch unit {
        case "": factor = 1
        case "ms", "msec", "msecs", "millisecond", "milliseconds": factor = 0.001
        case "s", "sec", "secs", "second", "seconds": factor = 1
        case "m", "min", "mins", "minute", "minutes": factor = 60
        case "h", "hr", "hrs", "hour", "hours": factor = 3600
        case "d", "day", "days": factor = 86_400
        case "w", "week", "weeks": factor = 604_800
        case "y", "yr", "yrs", "year", "years": factor = 31_557_600
        default: return nil
        }
        return amount * factor
    }
}
