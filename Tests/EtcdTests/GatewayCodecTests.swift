import Foundation
import Testing
@testable import Etcd

/// The gateway's encoding rules, without etcd: integers as strings, base64, omitted defaults,
/// prefix range ends, and the two error shapes.
@Suite struct GatewayCodecTests {
    func object(_ json: String) throws -> GatewayObject { try GatewayObject(json: Array(json.utf8)) }

    @Test func integersAreReadFromStringsOrNumbersAndAbsentIsZero() throws {
        let answer = try object(#"{"a":"4390625029245662471","b":7,"c":"-1"}"#)
        #expect(try answer.int64("a") == 4_390_625_029_245_662_471)
        #expect(try answer.int64("b") == 7)
        #expect(try answer.int64("c") == -1)
        #expect(try answer.int64("missing") == 0)
    }

    @Test func wrongTypesAreMalformed() throws {
        let answer = try object(#"{"n":"12x","b":"true","s":5,"o":[],"l":{},"x":"%%%"}"#)
        for read in [
            { _ = try answer.int64("n") }, { _ = try answer.bool("b") }, { _ = try answer.string("s") },
            { _ = try answer.object("o") }, { _ = try answer.objects("l") }, { _ = try answer.bytes("x") },
        ] as [() throws -> Void] {
            #expect(throws: EtcdError.self) { try read() }
        }
    }

    @Test func booleansAreNotNumbers() throws {
        let answer = try object(#"{"t":true,"one":1}"#)
        #expect(try answer.bool("t"))
        #expect(throws: EtcdError.self) { try answer.int64("t") }
        #expect(throws: EtcdError.self) { try answer.bool("one") }
        #expect(try answer.bool("absent") == false)
    }

    @Test func notAnObjectIsMalformed() {
        for body in ["", "[1]", "{\"a\":", "Not Found", "\"s\""] {
            #expect(throws: EtcdError.self) { try object(body) }
        }
    }

    @Test func keysAndValuesAreBase64AndIntegersStrings() throws {
        let put = JSONValue.object(GatewayCodec.put(key: "/a/b", value: [0, 255, 10], lease: 42)).encoded()
        #expect(String(decoding: put, as: UTF8.self) == #"{"key":"L2EvYg==","lease":"42","value":"AP8K"}"#)
        let noLease = JSONValue.object(GatewayCodec.put(key: "k", value: [], lease: nil)).encoded()
        #expect(String(decoding: noLease, as: UTF8.self) == #"{"key":"aw==","value":""}"#)
    }

    @Test func prefixEndIncrementsTheLastByteBelowFF() {
        #expect(GatewayCodec.prefixEnd(Array("/a/".utf8)) == Array("/a0".utf8))
        #expect(GatewayCodec.prefixEnd([0x61, 0xFF]) == [0x62])
        #expect(GatewayCodec.prefixEnd([0xFF, 0xFF]) == [0])
        #expect(GatewayCodec.prefixEnd([]) == [0])
    }

    @Test func transactionEncodesCompareTargetsAndBranches() throws {
        let transaction = EtcdTransaction(
            compares: [.createRevision(of: "k", .equal, 0), .value(of: "v", .notEqual, [1])],
            success: [.put(key: "k", value: [2], lease: 5)],
            failure: [.get(key: "k"), .deletePrefix("p")])
        let json = String(decoding: GatewayCodec.transaction(transaction).encoded(), as: UTF8.self)
        #expect(json.contains(#"{"create_revision":"0","key":"aw==","result":"EQUAL","target":"CREATE"}"#))
        #expect(json.contains(#"{"key":"dg==","result":"NOT_EQUAL","target":"VALUE","value":"AQ=="}"#))
        #expect(json.contains(#""success":[{"request_put":{"key":"aw==","lease":"5","value":"Ag=="}}]"#))
        #expect(json.contains(#"{"request_range":{"key":"aw=="}}"#))
        #expect(json.contains(#"{"request_delete_range":{"key":"cA==","range_end":"cQ=="}}"#))
    }

    @Test func failedTransactionHasNoSucceededField() throws {
        let failed = try GatewayCodec.transactionResult(
            object(#"{"header":{"revision":"7"},"responses":[{"response_range":{"header":{"revision":"7"},"#
                + #""kvs":[{"key":"aw==","create_revision":"5","mod_revision":"6","version":"2","value":"dg==","lease":"9"}],"#
                + #""count":"1"}}]}"#))
        #expect(!failed.succeeded)
        #expect(failed.revision == 7)
        guard case let .range(range)? = failed.responses.first else {
            Issue.record("expected a range response")
            return
        }
        #expect(range.keyValues == [
            EtcdKeyValue(keyBytes: Array("k".utf8), value: Array("v".utf8), createRevision: 5, modRevision: 6,
                         version: 2, lease: 9)
        ])
        let empty = try GatewayCodec.transactionResult(object(#"{"header":{"revision":"8"}}"#))
        #expect(!empty.succeeded && empty.responses.isEmpty)
        let succeeded = try GatewayCodec.transactionResult(
            object(#"{"header":{"revision":"9"},"succeeded":true,"responses":[{"response_put":{}},"#
                + #"{"response_delete_range":{"deleted":"2"}}]}"#))
        #expect(succeeded.succeeded)
        #expect(succeeded.responses == [.put, .delete(EtcdDeleteResult(deleted: 2, revision: 0))])
        #expect(throws: EtcdError.self) { try GatewayCodec.transactionResult(object(#"{"responses":[{"response_txn":{}}]}"#)) }
    }

    @Test func emptyRangeHasNoKvsAndAbsentValueIsEmpty() throws {
        let range = try GatewayCodec.range(object(#"{"header":{"revision":"3"}}"#))
        #expect(range.keyValues.isEmpty && range.count == 0 && range.revision == 3)
        let kv = try GatewayCodec.keyValue(object(#"{"key":"aw==","create_revision":"2","mod_revision":"2","version":"1"}"#))
        #expect(kv.value.isEmpty && kv.lease == nil && kv.key == "k")
    }

    @Test func watchMessages() throws {
        #expect(try GatewayCodec.watchMessage(
            object(#"{"result":{"header":{"revision":"7"},"created":true}}"#), endpoint: "e") == .created(revision: 7))
        let events = try GatewayCodec.watchMessage(
            object(#"{"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"aw==","mod_revision":"8","value":"dg=="}},"#
                + #"{"type":"DELETE","kv":{"key":"aw==","mod_revision":"9"},"prev_kv":{"key":"aw==","mod_revision":"8"}}]}}"#),
            endpoint: "e")
        guard case let .events(list, revision) = events else {
            Issue.record("expected events, got \(events)")
            return
        }
        #expect(revision == 9)
        #expect(list.map(\.kind) == [.put, .delete])
        #expect(list.map(\.revision) == [8, 9])
        #expect(list[0].previous == nil && list[1].previous?.modRevision == 8)
        #expect(try GatewayCodec.watchMessage(
            object(#"{"result":{"header":{},"canceled":true,"compact_revision":"6"}}"#), endpoint: "e")
            == .canceled(compactRevision: 6, reason: ""))
        #expect(throws: EtcdError.self) {
            try GatewayCodec.watchMessage(object(#"{"result":{"events":[{"type":"MOVE","kv":{}}]}}"#), endpoint: "e")
        }
        #expect(throws: EtcdError.self) { try GatewayCodec.watchMessage(object(#"{"other":1}"#), endpoint: "e") }
    }

    @Test func errorShapes() throws {
        let unary = GatewayCodec.error(
            status: 404,
            body: Array(#"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#.utf8),
            endpoint: "e")
        guard case let .server(_, status, code, message) = unary else { throw unary }
        #expect(status == 404 && code == 5 && message == GatewayCodec.leaseNotFoundMessage)

        let streaming = GatewayCodec.error(
            status: 200,
            body: Array(#"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"#.utf8),
            endpoint: "e")
        guard case let .server(_, status2, code2, message2) = streaming else { throw streaming }
        #expect(status2 == 503 && code2 == 14 && message2 == "etcdserver: no leader")

        let plain = GatewayCodec.error(status: 404, body: Array("Not Found\n".utf8), endpoint: "e")
        guard case let .server(_, status3, code3, message3) = plain else { throw plain }
        #expect(status3 == 404 && code3 == nil && message3 == "Not Found")
    }

    @Test func leaseGrant() throws {
        #expect(try GatewayCodec.lease(object(#"{"ID":"77","TTL":"3"}"#)) == EtcdLease(id: 77, ttlSeconds: 3))
        #expect(throws: EtcdError.self) { try GatewayCodec.lease(object(#"{"TTL":"3"}"#)) }
        #expect(throws: EtcdError.self) { try GatewayCodec.lease(object(#"{"ID":"1","error":"too many"}"#)) }
    }
}
