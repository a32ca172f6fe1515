/// Finds the client's IP the way Express's `trust proxy = N` does.
///
/// With `trustedHops == 0` it is the socket's peer address and
/// `X-Forwarded-For` is ignored (a client could forge it). With N > 0 the
/// list is `[socket, XFF right-to-left...]` and the address N hops back is
/// the client (or the leftmost XFF entry when the header is shorter). That
/// entry must be an IPv4 or IPv6 address (`IPAddressParser`); when it is not,
/// the socket's address is used: a forged or garbled entry is never stored.
/// Entries are not skipped, so a garbled entry cannot shift the hop count
/// onto one the client wrote.
public enum ClientAddress {
    /// The client IP of a request.
    /// - Parameters:
    ///   - socketAddress: the peer's IP as the socket reports it (nil for a Unix socket).
    ///   - forwardedFor: every `X-Forwarded-For` header value, in order.
    ///   - trustedHops: the `TRUST_PROXY` setting.
    public static func resolve(socketAddress: String?, forwardedFor: [String], trustedHops: Int) -> String? {
        guard trustedHops > 0, !forwardedFor.isEmpty else { return socketAddress }
        var hops: [Substring] = []
        for value in forwardedFor {
            for part in value.split(separator: ",", omittingEmptySubsequences: true) {
                let trimmed = part.trimmingSpaces()
                if !trimmed.isEmpty { hops.append(trimmed) }
            }
        }
        guard !hops.isEmpty else { return socketAddress }
        // Index N in [socket, hops reversed...], clamped to the last entry.
        let steps = min(trustedHops, hops.count)
        return IPAddressParser.canonical(hops[hops.count - steps]) ?? socketAddress
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
