import Foundation

/// The gateway's JSON in both directions: request bodies from the module's types, and the
/// module's types from answers.
///
/// Every encoding rule lives here: keys and values as base64, 64-bit integers as JSON strings,
/// a prefix as `key` + `range_end` (the prefix with its last byte below 0xFF incremented),
/// omitted defaults (absent `succeeded` is false, absent `kvs` is empty, absent event `type`
/// is PUT), and the two shapes of an error body.
enum GatewayCodec {
    // MARK: Encoding

    static func bytes(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    static func key(_ key: String) -> JSONValue { bytes(Array(key.utf8)) }

    static func int64(_ value: Int64) -> JSONValue { .string(String(value)) }

    /// The end of the range of every key starting with `prefix`: the prefix cut after its last
    /// byte below 0xFF, that byte incremented. A prefix of only 0xFF bytes (or empty) has no such
    /// end; etcd's "\0" range end then means "every key from `key` on".
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }

    /// `{"key": …}` for one key, `{"key": …, "range_end": …}` for a prefix.
    static func range(key: String, prefix: Bool) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["key": self.key(key)]
        if prefix { fields["range_end"] = bytes(prefixEnd(Array(key.utf8))) }
        return fields
    }

    static func put(key: String, value: [UInt8], lease: Int64?) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["key": self.key(key), "value": bytes(value)]
        if let lease, lease != 0 { fields["lease"] = int64(lease) }
        return fields
    }

    static func compare(_ compare: EtcdCompare) -> JSONValue {
        var fields: [String: JSONValue] = ["key": key(compare.key), "result": .string(compare.relation.rawValue)]
        switch compare.target {
        case let .createRevision(revision):
            fields["target"] = .string("CREATE")
            fields["create_revision"] = int64(revision)
        case let .modRevision(revision):
            fields["target"] = .string("MOD")
            fields["mod_revision"] = int64(revision)
        case let .version(version):
            fields["target"] = .string("VERSION")
            fields["version"] = int64(version)
        case let .value(value):
            fields["target"] = .string("VALUE")
            fields["value"] = bytes(value)
        case let .lease(lease):
            fields["target"] = .string("LEASE")
            fields["lease"] = int64(lease)
        }
        return .object(fields)
    }

    static func operation(_ operation: EtcdOperation) -> JSONValue {
        switch operation {
        case let .put(key, value, lease):
            .object(["request_put": .object(put(key: key, value: value, lease: lease))])
        case let .get(key):
            .object(["request_range": .object(range(key: key, prefix: false))])
        case let .getPrefix(prefix):
            .object(["request_range": .object(range(key: prefix, prefix: true))])
        case let .delete(key):
            .object(["request_delete_range": .object(range(key: key, prefix: false))])
        case let .deletePrefix(prefix):
            .object(["request_delete_range": .object(range(key: prefix, prefix: true))])
        }
    }

    static func transaction(_ transaction: EtcdTransaction) -> JSONValue {
        .object([
            "compare": .array(transaction.compares.map(compare)),
            "success": .array(transaction.success.map(operation)),
            "failure": .array(transaction.failure.map(operation)),
        ])
    }

    /// `{"create_request": …}` for `/v3/watch`.
    static func watchCreate(key: String, prefix: Bool, startRevision: Int64?, previousValues: Bool) -> JSONValue {
        var fields = range(key: key, prefix: prefix)
        if let startRevision { fields["start_revision"] = int64(startRevision) }
        if previousValues { fields["prev_kv"] = .bool(true) }
        return .object(["create_request": .object(fields)])
    }

    // MARK: Decoding

    static func keyValue(_ object: GatewayObject) throws(EtcdError) -> EtcdKeyValue {
        let lease = try object.int64("lease")
        return EtcdKeyValue(
            keyBytes: try object.bytes("key"), value: try object.bytes("value"),
            createRevision: try object.int64("create_revision"), modRevision: try object.int64("mod_revision"),
            version: try object.int64("version"), lease: lease == 0 ? nil : lease)
    }

    /// A `RangeResponse` (top level, or `response_range` inside a transaction).
    static func range(_ object: GatewayObject) throws(EtcdError) -> EtcdRange {
        var keyValues: [EtcdKeyValue] = []
        for kv in try object.objects("kvs") { keyValues.append(try keyValue(kv)) }
        return EtcdRange(keyValues: keyValues, count: try object.int64("count"), revision: try object.headerRevision())
    }

    /// A `DeleteRangeResponse`.
    static func delete(_ object: GatewayObject) throws(EtcdError) -> EtcdDeleteResult {
        EtcdDeleteResult(deleted: try object.int64("deleted"), revision: try object.headerRevision())
    }

    /// A `TxnResponse`.
    static func transactionResult(_ object: GatewayObject) throws(EtcdError) -> EtcdTransactionResult {
        var responses: [EtcdOperationResponse] = []
        for response in try object.objects("responses") {
            if response.has("response_put") {
                responses.append(.put)
            } else if let range = try response.object("response_range") {
                responses.append(.range(try self.range(range)))
            } else if let delete = try response.object("response_delete_range") {
                responses.append(.delete(try self.delete(delete)))
            } else {
                throw .malformedResponse("transaction response of unknown kind: \(response.fields.keys.sorted())")
            }
        }
        return EtcdTransactionResult(
            succeeded: try object.bool("succeeded"), revision: try object.headerRevision(), responses: responses)
    }

    /// A `LeaseGrantResponse`.
    static func lease(_ object: GatewayObject) throws(EtcdError) -> EtcdLease {
        if let error = try object.string("error"), !error.isEmpty {
            throw .malformedResponse("lease grant refused: \(error)")
        }
        let id = try object.int64("ID")
        guard id != 0 else { throw .malformedResponse("lease grant without an ID") }
        return EtcdLease(id: id, ttlSeconds: try object.int64("TTL"))
    }

    /// One message of a watch stream: `{"result": WatchResponse}` or `{"error": …}`.
    static func watchMessage(_ object: GatewayObject, endpoint: String) throws(EtcdError) -> WatchMessage {
        if object.has("error") { throw error(status: 200, body: object, endpoint: endpoint) }
        guard let result = try object.object("result") else {
            throw .malformedResponse("watch message without result: \(object.fields.keys.sorted())")
        }
        let revision = try result.headerRevision()
        if try result.bool("canceled") {
            return .canceled(
                compactRevision: try result.int64("compact_revision"), reason: try result.string("cancel_reason") ?? "")
        }
        if try result.bool("created") { return .created(revision: revision) }
        let events = try result.objects("events")
        if events.isEmpty { return .progress(revision: revision) }
        var decoded: [EtcdWatchEvent] = []
        for event in events {
            let kind: EtcdWatchEvent.Kind
            switch try event.string("type") {
            case nil, "PUT"?: kind = .put
            case "DELETE"?: kind = .delete
            case let other?: throw .malformedResponse("watch event of unknown type \(other)")
            }
            guard let kv = try event.object("kv") else { throw .malformedResponse("watch event without kv") }
            let previous = try event.object("prev_kv")
            decoded.append(
                EtcdWatchEvent(kind: kind, keyValue: try keyValue(kv), previous: try previous.map { kv throws(EtcdError) in
                    try keyValue(kv)
                }))
        }
        return .events(decoded, revision: revision)
    }

    /// The message etcd gives for an unknown, revoked or expired lease.
    static let leaseNotFoundMessage = "etcdserver: requested lease not found"

    /// An error answer. Unary calls answer `{"error": "…", "message": "…", "code": 5}` with an
    /// HTTP error status; streaming calls answer `{"error": {"grpc_code": 5, "http_code": 404,
    /// "message": "…", "http_status": "Not Found"}}`, possibly with status 200. A body that is not
    /// JSON (the gateway's plain "Not Found" for an unknown path) becomes the message.
    static func error(status: Int, body: [UInt8], endpoint: String) -> EtcdError {
        guard let object = try? GatewayObject(json: body) else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return .server(endpoint: endpoint, status: status, code: nil,
                           message: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return error(status: status, body: object, endpoint: endpoint)
    }

    static func error(status: Int, body object: GatewayObject, endpoint: String) -> EtcdError {
        if let nested = try? object.object("error") {
            let httpCode = (try? nested.int64("http_code")).map(Int.init) ?? 0
            return .server(
                endpoint: endpoint, status: httpCode != 0 ? httpCode : status,
                code: nested.has("grpc_code") ? (try? nested.int64("grpc_code")).map(Int.init) : nil,
                message: ((try? nested.string("message")) ?? nil) ?? "")
        }
        let message = ((try? object.string("message")) ?? nil) ?? ((try? object.string("error")) ?? nil) ?? ""
        return .server(
            endpoint: endpoint, status: status, code: object.has("code") ? (try? object.int64("code")).map(Int.init) : nil,
            message: message)
    }
}
