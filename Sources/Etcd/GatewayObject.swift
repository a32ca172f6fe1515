import Foundation

/// One JSON object from the gateway, read with etcd's encoding rules in one place.
///
/// The gateway (grpc-gateway's protobuf-to-JSON mapping) writes 64-bit integers as JSON
/// strings, bytes as base64, and omits every field at its default value. So an absent integer
/// is 0, an absent bool false, absent bytes empty, an absent list empty; each accessor says so
/// and throws ``EtcdError/malformedResponse(_:)`` only for a field of the wrong type.
struct GatewayObject: Sendable {
    let fields: [String: JSONValue]

    init(_ fields: [String: JSONValue]) {
        self.fields = fields
    }

    /// Parses one JSON object (anything else, including a JSON array, is malformed).
    init(json: some Collection<UInt8>) throws(EtcdError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        } catch {
            throw .malformedResponse("not JSON: \(GatewayObject.excerpt(json))")
        }
        guard case let .object(fields) = value else {
            throw .malformedResponse("not a JSON object: \(GatewayObject.excerpt(json))")
        }
        self.fields = fields
    }

    /// True when the field is present and not null.
    func has(_ name: String) -> Bool {
        switch fields[name] {
        case nil, .null?: false
        default: true
        }
    }

    /// A 64-bit integer: a JSON string of digits (the gateway's form) or a JSON number; 0 when absent.
    func int64(_ name: String) throws(EtcdError) -> Int64 {
        switch fields[name] {
        case nil, .null?:
            return 0
        case let .string(text)?:
            guard let number = Int64(text) else { throw .malformedResponse("\(name): not an int64: \"\(text)\"") }
            return number
        case let .integer(number)?:
            return number
        case let other?:
            throw .malformedResponse("\(name): expected an int64, found \(other.kind)")
        }
    }

    /// A bool; false when absent.
    func bool(_ name: String) throws(EtcdError) -> Bool {
        switch fields[name] {
        case nil, .null?: return false
        case let .bool(value)?: return value
        case let other?: throw .malformedResponse("\(name): expected a bool, found \(other.kind)")
        }
    }

    /// A string; nil when absent.
    func string(_ name: String) throws(EtcdError) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case let .string(text)?: return text
        case let other?: throw .malformedResponse("\(name): expected a string, found \(other.kind)")
        }
    }

    /// Bytes sent as base64; empty when absent.
    func bytes(_ name: String) throws(EtcdError) -> [UInt8] {
        guard let text = try string(name) else { return [] }
        guard let data = Data(base64Encoded: text) else { throw .malformedResponse("\(name): not base64") }
        return Array(data)
    }

    /// A nested object; nil when absent.
    func object(_ name: String) throws(EtcdError) -> GatewayObject? {
        switch fields[name] {
        case nil, .null?: return nil
        case let .object(object)?: return GatewayObject(object)
        case let other?: throw .malformedResponse("\(name): expected an object, found \(other.kind)")
        }
    }

    /// A list of objects; empty when absent.
    func objects(_ name: String) throws(EtcdError) -> [GatewayObject] {
        switch fields[name] {
        case nil, .null?:
            return []
        case let .array(list)?:
            var objects: [GatewayObject] = []
            for element in list {
                guard case let .object(object) = element else {
                    throw .malformedResponse("\(name): expected a list of objects, found \(element.kind)")
                }
                objects.append(GatewayObject(object))
            }
            return objects
        case let other?:
            throw .malformedResponse("\(name): expected a list, found \(other.kind)")
        }
    }

    /// The answer's header revision (`header.revision`); 0 when absent.
    func headerRevision() throws(EtcdError) -> Int64 {
        try object("header")?.int64("revision") ?? 0
    }

    /// The start of a body, for an error message (bodies may be large or binary).
    static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        return bytes.count > 120 ? "\"\(text)…\"" : "\"\(text)\""
    }
}

extension JSONValue {
    /// The JSON kind, for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a bool"
        case .number, .integer: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
