#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an address out of an `X-Forwarded-For` entry, or nothing.
///
/// Only an IPv4 or IPv6 address is a client address: the text a proxy chain forwards
/// is otherwise attacker-controlled, and what comes out of here is stored in sessions
/// and the WAL and keys the per-IP limiter. Accepted: `203.0.113.9`, `2001:db8::1`,
/// and the forms some proxies append with a port: `203.0.113.9:443`, `[2001:db8::1]`,
/// `[2001:db8::1]:443`. The answer is the address's canonical text (`inet_ntop`), so
/// one address has one spelling; the port is dropped.
public enum IPAddressParser {
    /// No valid entry is longer (a bracketed IPv6 with a port is at most 53 bytes).
    static let maximumEntryBytes = 64

    /// The canonical text of the address in `entry`, or nil when it is not one.
    public static func canonical(_ entry: Substring) -> String? {
        guard !entry.isEmpty, entry.utf8.count <= maximumEntryBytes else { return nil }
        if entry.first == "[" {
            guard let close = entry.firstIndex(of: "]") else { return nil }
            let rest = entry[entry.index(after: close)...]
            guard rest.isEmpty || isPortSuffix(rest) else { return nil }
            return parse(entry[entry.index(after: entry.startIndex)..<close], family: AF_INET6)
        }
        guard let colon = entry.firstIndex(of: ":") else { return parse(entry, family: AF_INET) }
        let afterColon = entry[entry.index(after: colon)...]
        if afterColon.contains(":") { return parse(entry, family: AF_INET6) }
        // One colon: IPv4 with a port.
        guard isPortSuffix(entry[colon...]) else { return nil }
        return parse(entry[..<colon], family: AF_INET)
    }

    /// `:` followed by 1 to 5 digits.
    private static func isPortSuffix(_ text: Substring) -> Bool {
        let digits = text.utf8.dropFirst()
        return text.first == ":" && (1...5).contains(digits.count) && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func parse(_ text: Substring, family: Int32) -> String? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count < maximumEntryBytes else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: maximumEntryBytes) { input -> String? in
            var count = 0
            for byte in bytes {
                input[count] = CChar(bitPattern: byte)
                count += 1
            }
            input[count] = 0
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { binary -> String? in
                guard inet_pton(family, input.baseAddress!, binary.baseAddress!) == 1 else { return nil }
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { output -> String? in
                    guard inet_ntop(family, binary.baseAddress!, output.baseAddress!, socklen_t(INET6_ADDRSTRLEN)) != nil else { return nil }
                    return String(cString: output.baseAddress!)
                }
            }
        }
    }
}
