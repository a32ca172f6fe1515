import ArgumentParser

/// How the client reads answers: the hand-rolled ``HTTPResponseParser`` (default,
/// measured cheaper) or NIOHTTP1's `HTTPResponseDecoder` (llhttp) plus a small
/// collector, kept to compare the two (`--client nio`). Requests are written as
/// the same pre-encoded bytes in both cases.
enum ClientCodec: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    case raw
    case nio
}
