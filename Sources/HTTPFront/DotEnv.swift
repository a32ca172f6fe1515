import Foundation

/// Reads a `.env` file as the `dotenv` package does (the subset seeds use).
///
/// `KEY=value` per line, optional `export ` prefix, `#` comment lines,
/// values in single, double or back quotes (double quotes expand `\n`,
/// `\r`, `\t`, `\"`, `\\`), unquoted values trimmed with a ` #` comment cut
/// off. Lines that are not assignments are skipped, as dotenv skips them.
public enum DotEnv {
    /// The assignments of `contents`, later lines winning.
    public static func parse(_ contents: String) -> [String: String] {
        var result: [String: String] = [:]
        for rawLine in contents.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var line = rawLine.trimmingSpaces()
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).trimmingSpaces() }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces()
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") })
            else { continue }
            result[String(key)] = value(line[line.index(after: equals)...].trimmingSpaces())
        }
        return result
    }

    private static func value(_ raw: Substring) -> String {
        if let quote = raw.first, quote == "\"" || quote == "'" || quote == "`" {
            let body = raw.dropFirst()
            if let close = body.firstIndex(of: quote) {
                let inner = body[..<close]
                return quote == "\"" ? unescape(inner) : String(inner)
            }
        }
        if let comment = raw.range(of: " #") {
            return String(raw[..<comment.lowerBound].trimmingSpaces())
        }
        return String(raw)
    }

    private static func unescape(_ text: Substring) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        if escaping { result.append("\\") }
        return result
    }
}
