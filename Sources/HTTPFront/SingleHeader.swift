import NIOHTTP1

/// What a request says in a header that may appear at most once (`Authorization`,
/// `Content-Type`): read from the headers in place, with no array of values built per request.
enum SingleHeader: Equatable {
    case absent
    case value(String)
    /// More than once: ambiguous, refused by every caller.
    case repeated

    /// Whether `bytes` spell `lowercase` in any ASCII case (only A-Z are folded).
    static func equalsIgnoringASCIICase<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lowercase.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }
}

extension HTTPHeaders {
    /// The one value of the header `name` (given in lower case; matched in any case).
    func single(_ name: StaticString) -> SingleHeader {
        var found: String?
        for (candidate, value) in self where SingleHeader.equalsIgnoringASCIICase(candidate.utf8, name) {
            guard found == nil else { return .repeated }
            found = value
        }
        return found.map(SingleHeader.value) ?? .absent
    }
}
