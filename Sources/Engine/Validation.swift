/// The request rules: name, email, password (the seed's, with limits in bytes).
///
/// Minimums count characters, as Unicode scalars: what JSON Schema's `minLength` counts
/// and what the seed's zod counts (UTF-16 units) for every character outside the astral
/// planes. Maximums count UTF-8 bytes, because they are there to bound memory, the WAL,
/// answers and hashing work: counted in characters (grapheme clusters), "ab" followed by
/// 400,000 combining accents is 2 characters and 800 KB. Names are trimmed first. All
/// issues of a request are reported together.
public enum Validation {
    /// A name has at least this many characters after trimming.
    public static let nameMinimumCharacters = 2
    /// A name has at most this many characters (Unicode code points, what JSON Schema's
    /// `maxLength` counts) after trimming; so at most 4 bytes each.
    public static let nameMaximumCharacters = 256
    /// A new password has at least this many characters.
    public static let passwordMinimumCharacters = 8
    /// A new password has at most this many characters (code points; so at most 512 bytes of
    /// hashing input).
    public static let passwordMaximumCharacters = 128
    /// A password presented at login has at most this many characters: more than a new one may
    /// have, so passwords chosen under older limits (128 grapheme clusters) still verify.
    public static let loginPasswordMaximumCharacters = 1024
    /// An email has at most this many bytes after trimming (RFC 5321's path limit).
    public static let emailMaximumBytes = 254

    /// A registration that passed the rules, in normalised form.
    public struct Registration: Sendable, Equatable {
        public let name: String
        public let email: String
        public let password: String
    }

    /// Credentials that passed the rules, in normalised form.
    public struct Credentials: Sendable, Equatable {
        public let email: String
        public let password: String
    }

    public static func registration(name: FieldInput, email: FieldInput, password: FieldInput) throws(AuthError) -> Registration {
        var issues: [FieldIssue] = []
        let n = checkName(name, into: &issues)
        let e = checkEmail(email, into: &issues)
        let p = checkPassword(password, minimum: passwordMinimumCharacters, maximum: passwordMaximumCharacters, into: &issues)
        guard issues.isEmpty, let n, let e, let p else { throw .invalidPayload(issues) }
        return Registration(name: n, email: e, password: p)
    }

    public static func credentials(email: FieldInput, password: FieldInput) throws(AuthError) -> Credentials {
        var issues: [FieldIssue] = []
        let e = checkEmail(email, into: &issues)
        let p = checkPassword(password, minimum: 1, maximum: loginPasswordMaximumCharacters, into: &issues)
        guard issues.isEmpty, let e, let p else { throw .invalidPayload(issues) }
        return Credentials(email: e, password: p)
    }

    /// A refresh token field: a non-empty string.
    public static func refreshToken(_ input: FieldInput) throws(AuthError) -> String {
        switch input {
        case .missing: throw .invalidPayload([FieldIssue(path: "refreshToken", message: "Required")])
        case .notString: throw .invalidPayload([FieldIssue(path: "refreshToken", message: "Expected string")])
        case .value(let s):
            guard !s.isEmpty else { throw .invalidPayload([FieldIssue(path: "refreshToken", message: "Refresh token is required")]) }
            return s
        }
    }

    /// Trims and lower-cases an email the way the email index keys it.
    public static func normalizeEmail(_ email: String) -> String {
        trim(email).lowercased()
    }

    private static func string(_ input: FieldInput, path: String, into issues: inout [FieldIssue]) -> String? {
        switch input {
        case .missing: issues.append(FieldIssue(path: path, message: "Required")); return nil
        case .notString: issues.append(FieldIssue(path: path, message: "Expected string")); return nil
        case .value(let s): return s
        }
    }

    private static func checkName(_ input: FieldInput, into issues: inout [FieldIssue]) -> String? {
        guard let raw = string(input, path: "name", into: &issues) else { return nil }
        // The maximum holds for the name as sent (as the schema's maxLength does), the minimum after trimming.
        if tooLong(raw, nameMaximumCharacters) {
            issues.append(FieldIssue(path: "name", message: "Name must be at most \(nameMaximumCharacters) characters"))
            return nil
        }
        let trimmed = trim(raw)
        if trimmed.unicodeScalars.count < nameMinimumCharacters {
            issues.append(FieldIssue(path: "name", message: "Name must be at least \(nameMinimumCharacters) characters"))
            return nil
        }
        return trimmed
    }

    private static func checkEmail(_ input: FieldInput, into issues: inout [FieldIssue]) -> String? {
        guard let raw = string(input, path: "email", into: &issues) else { return nil }
        // Too long (as sent, so the schema's maxLength agrees) is invalid before any further work
        // (trimming, lower-casing, keying a limiter).
        guard raw.utf8.count <= emailMaximumBytes else {
            issues.append(FieldIssue(path: "email", message: "Invalid email"))
            return nil
        }
        let trimmed = trim(raw)
        let email = trimmed.lowercased()
        guard isValidEmail(email) else {
            issues.append(FieldIssue(path: "email", message: "Invalid email"))
            return nil
        }
        return email
    }

    /// More than `maximum` code points. Bytes first (a code point is at most 4), so a megabyte
    /// of input is refused without walking it.
    private static func tooLong(_ text: String, _ maximum: Int) -> Bool {
        let bytes = text.utf8.count
        if bytes <= maximum { return false }
        if bytes > 4 * maximum { return true }
        return text.unicodeScalars.count > maximum
    }

    private static func checkPassword(_ input: FieldInput, minimum: Int, maximum: Int, into issues: inout [FieldIssue]) -> String? {
        guard let raw = string(input, path: "password", into: &issues) else { return nil }
        if tooLong(raw, maximum) {
            issues.append(FieldIssue(path: "password", message: "Password must be at most \(maximum) characters"))
            return nil
        }
        if raw.unicodeScalars.count < minimum {
            issues.append(FieldIssue(path: "password", message: minimum == 1 ? "Password is required" : "Password must be at least \(minimum) characters"))
            return nil
        }
        return raw
    }

    /// A pragmatic address check in the spirit of zod's `.email()`: one `@`, a dot-separated
    /// domain of letters, digits and hyphens with a TLD of 2+ letters, a local part of
    /// printable non-space ASCII without leading, trailing or double dots, 254 bytes at most.
    static func isValidEmail(_ email: String) -> Bool {
        let bytes = Array(email.utf8)
        guard bytes.count <= emailMaximumBytes, let at = bytes.firstIndex(of: UInt8(ascii: "@")),
              bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64, !domain.isEmpty else { return false }
        let allowedLocal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.".utf8)
        guard local.allSatisfy(allowedLocal.contains),
              local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              !zip(local, local.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        let tld = labels.last!
        return tld.count >= 2 && tld.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
    }

    private static func trim(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
