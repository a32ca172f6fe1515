/// Where the load goes: host, port and an optional path prefix, from `--url`.
struct Target: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int
    var basePath: String

    /// Parses `http://host[:port][/prefix]` (https is not supported: the generator
    /// measures the server, not TLS).
    static func parse(_ url: String) throws(BenchError) -> Target {
        guard url.hasPrefix("http://") else { throw .invalidURL("\(url) (only http:// is supported)") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var basePath = String(rest.dropFirst(authority.count))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var host = String(authority)
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { throw .invalidURL(url) }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { throw .invalidURL(url) }
            port = p
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidURL(url) }
        return Target(host: host, port: port, basePath: basePath)
    }

    /// The `Host` header value.
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }

    var encoder: RequestEncoder { RequestEncoder(hostHeader: hostHeader, basePath: basePath) }

    func connector(codec: ClientCodec = .raw) throws(BenchError) -> Connector { try Connector(host: host, port: port, codec: codec) }

    var description: String { "http://\(hostHeader)\(basePath)" }
}
